"""The append-only, hash-chained audit trail (docs/reference/architecture.md,
docs/reference/style.md §3.7)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from counter.scoping import ScopedQuerySet

from .append_only import AppendOnly, AppendOnlyError
from .cases import Case
from .tenancy import Desk, Municipality, Office


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEvent(AppendOnly, models.Model):
    """Who did what, where and when. Each row carries the previous row's hash.

    Written only through :func:`counter.audit.audit_record`. Each municipality has
    its own chain (``chain`` = its id, 0 for installation events) so one city's
    appends never wait for another's (docs/adr/0011-audit-append-design.md). The
    foreign keys carry no database constraint: the insert takes no lock on the case
    or user row, so it cannot deadlock with the case's row lock. On PostgreSQL
    triggers refuse UPDATE, DELETE and TRUNCATE; ``manage.py verify_audit_chain``
    finds a changed or removed row, and a cut end against the signed checkpoint.
    """

    chain = models.PositiveBigIntegerField(
        _("chain"),
        default=0,
        editable=False,
        help_text=_("Municipality id of the chain (0: installation)."),
    )
    seq = models.PositiveBigIntegerField(_("sequence"), editable=False)
    created_at = models.DateTimeField(_("when"), editable=False, db_index=True)
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
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("case"),
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
    actor_label = models.CharField(
        _("who (label)"),
        max_length=150,
        help_text=_("Username, desk agent or system process at the time."),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    append_only_message = "The audit trail is append-only."

    objects = AuditQuerySet.as_manager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["municipality", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="audit_chain_seq_unique"
            )
        ]

    def __str__(self) -> str:
        # The action is a code; the admin shows it by name in its own column.
        return f"#{self.seq} {self.actor_label}".rstrip()

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit trail is append-only.")


class AuditChainHead(models.Model):
    """The sequencer of one chain: its last row's number, hash and time.

    :func:`counter.audit.audit_record` moves it and inserts the new row in one
    statement; the head row's lock is the chain's position, held to COMMIT
    (docs/adr/0024-audit-sequencer.md). Not evidence itself: a head that is
    missing is rebuilt from the chain's last row, and a head that was tampered
    with makes the next row link wrongly, which ``verify_audit_chain`` reports.
    """

    chain = models.PositiveBigIntegerField(_("chain"), primary_key=True)
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"
