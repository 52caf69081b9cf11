"""Who looked at whose personal data: the access log (issue 10 §5).

Apart from the audit trail on purpose: a read writes one plain row, with no hash
chain and no chain lock, so reading never waits for a writer
(docs/adr/0011-audit-append-design.md).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedQuerySet

from .append_only import AppendOnly, AppendOnlyError
from .cases import Case
from .residents import Resident
from .tenancy import Desk, Municipality

_MESSAGE = "The access log is append-only."


class AccessPath(models.TextChoices):
    """Where the personal data was shown."""

    CASE_PAGE = "case_page", _("Case page")
    RECEIPT = "receipt", _("Receipt")
    RESIDENT_SEARCH = "resident_search", _("Resident search results")
    LETTER_PDF = "letter_pdf", _("Letter PDF")
    ADMIN_CHANGE = "admin_change", _("Administration: change view")
    ADMIN_HISTORY = "admin_history", _("Administration: history view")
    API_CASE = "api_case", _("API: case detail")
    API_SEARCH = "api_search", _("API: resident search")
    API_CASE_LIST = "api_case_list", _("API: case list")
    ADMIN_SEARCH = "admin_search", _("Administration: search results")


class AccessQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(_MESSAGE)

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(_MESSAGE)


class AccessRecord(AppendOnly, models.Model):
    """One read of one resident's (or one case's) personal data.

    Written only through :mod:`counter.access_log`. The references carry
    no database constraint, so the insert locks no other row.
    """

    at = models.DateTimeField(_("when"), db_index=True, editable=False)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        db_constraint=False,
        # The composite indexes below lead with the municipality and serve every
        # lookup by it; one more index would be written on every row for nothing.
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (label)"), max_length=150)
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,  # indexed where given (Meta.indexes)
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,  # indexed where given (Meta.indexes)
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    path = models.CharField(_("where"), max_length=32, choices=AccessPath.choices)
    url = models.CharField(_("address"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)

    append_only_message = _MESSAGE

    objects = AccessQuerySet.as_manager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "resident", "at"]),
            models.Index(fields=["municipality", "actor", "at"]),
            # Where a desk or a case is named: the API's reads name no desk and
            # a search no case, so their rows are not written into these
            # (migration 0026). A lookup by a desk or a case (the admin, a
            # PROTECT check) implies the condition and still uses them.
            models.Index(
                fields=["desk"],
                condition=models.Q(desk__isnull=False),
                name="access_desk_given",
            ),
            models.Index(
                fields=["case"],
                condition=models.Q(case__isnull=False),
                name="access_case_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.path}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(_MESSAGE)
