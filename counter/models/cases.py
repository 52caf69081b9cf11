"""A case: one procedure for one resident, with an append-only status history.

The per-procedure state machines (counter/workflows, proxy models of :class:`Case`)
move ``state``; nothing else writes it (``FSMField(protected=True)``). Every change
goes through one service path (counter/services/cases.py) that appends a
:class:`CaseStatusChange` row and an audit event.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from counter.constants import ApplicantRole, Procedure
from counter.scoping import ScopedManager

from .append_only import AppendOnly
from .residents import Card, Resident
from .tenancy import Desk, Municipality, Office


class CaseState(models.TextChoices):
    """States shared by every procedure's machine (each uses a subset)."""

    RECEIVED = "received", _("Received")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a supervisor's approval")
    DOCUMENTS_CHECKED = "documents_checked", _("Documents checked")
    AWAITING_SECOND_VISIT = "awaiting_second_visit", _("Awaiting the second visit")
    CARD_OPERATION = "card_operation", _("Card operation at the desk")
    READY_TO_COMPLETE = "ready_to_complete", _("Ready to complete")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


FINAL_STATES = frozenset(
    {
        CaseState.COMPLETED,
        CaseState.CANCELLED,
        CaseState.REFUSED,
        CaseState.EXPIRED,
    }
)
#: The states of a case still in progress, in the states' order.
OPEN_STATES = tuple(s.value for s in CaseState if s not in FINAL_STATES)


class RevocationKind(models.TextChoices):
    """失効申請 (the holder no longer wants it) or 失効届出 (lost, leaked) — §9."""

    REQUEST = "request", _("Revocation request (失効申請)")
    NOTIFICATION = "notification", _("Revocation notification (失効届出)")


class Case(ConcurrentTransitionMixin, models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("municipality"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="cases", verbose_name=_("office")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("resident"),
    )
    card = models.ForeignKey(
        Card,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("card"),
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    procedure = models.CharField(
        _("procedure"), max_length=30, choices=Procedure.choices
    )
    applicant_role = models.CharField(
        _("applicant"), max_length=30, choices=ApplicantRole.choices
    )
    state = FSMField(
        _("state"),
        max_length=40,
        choices=CaseState.choices,
        default=CaseState.RECEIVED,
        protected=True,
        db_index=True,
    )
    visit = models.PositiveSmallIntegerField(_("visit"), default=1)
    second_visit_deadline = models.DateField(
        _("second visit by"), null=True, blank=True
    )
    applicant_name = models.CharField(
        _("representative's or agent's name"), max_length=100, blank=True
    )
    applicant_address = models.CharField(
        _("representative's or agent's address"), max_length=300, blank=True
    )
    applicant_relation = models.CharField(
        _("relation to the holder"), max_length=100, blank=True
    )
    pin_kinds = models.JSONField(
        _("PINs"),
        default=list,
        blank=True,
        help_text=_("PIN change / reset: which of the four PINs (§2)."),
    )
    certificate_kinds = models.JSONField(
        _("certificates"),
        default=list,
        blank=True,
        help_text=_("Issuance, renewal, revocation: which certificates (§15)."),
    )
    certificate_plan = models.JSONField(
        _("new certificates' validity"),
        default=dict,
        blank=True,
        help_text=_(
            "notAfter per certificate kind, fixed at application: the 6th-birthday "
            "rule depends on the day of application (§3)."
        ),
    )
    revocation_kind = models.CharField(
        _("revocation kind"), max_length=20, choices=RevocationKind.choices, blank=True
    )
    uses_jlis_answer_sheet = models.BooleanField(
        _("J-LIS inquiry-and-answer sheet (one-visit renewal)"),
        default=False,
        help_text=_("§6.2: the sheet enclosed with the expiry notice."),
    )
    fee_yen = models.PositiveIntegerField(_("fee (yen)"), default=0)
    fee_reason = models.CharField(_("fee reason"), max_length=200, blank=True)
    exception_reason = models.TextField(_("reason for the exception"), blank=True)
    exception_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exception approved by"),
    )
    exception_approved_at = models.DateTimeField(
        _("exception approved at"), null=True, blank=True
    )
    exception_approval_note = models.TextField(_("approval note"), blank=True)
    documents_satisfied_visit = models.PositiveSmallIntegerField(
        _("documents satisfied for visit"), null=True, blank=True
    )
    completed_operations = models.JSONField(
        _("card operations done"),
        default=list,
        blank=True,
        help_text=_("Keys like 'pin_change:signing' of the operations that succeeded."),
    )
    current_operation_id = models.PositiveBigIntegerField(
        _("card operation running"), null=True, blank=True
    )
    flags = models.JSONField(_("flags"), default=list, blank=True)
    letter_reference = models.CharField(
        _("inquiry letter reference"), max_length=40, blank=True, db_index=True
    )
    outcome_code = models.CharField(
        _("outcome"),
        max_length=60,
        blank=True,
        help_text=_("Why the case was refused, cancelled or expired (a stable code)."),
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=64,
        blank=True,
        help_text=_("A double-submitted reception form opens the case only once."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("desk"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = ScopedManager()
    scope_municipality = "municipality"
    scope_office = "office"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["municipality", "office", "state"]),
            models.Index(fields=["state", "second_visit_deadline"]),
            # The queue's cases carried over from earlier days (open, touched
            # today): only the cases in progress, not every case touched today
            # (migration 0026).
            models.Index(
                fields=["municipality", "updated_at"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_municipality_updated",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(visit__gte=1) & models.Q(visit__lte=2),
                name="case_visit_one_or_two",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def has_flag(self, flag: str) -> bool:
        return flag in (self.flags or [])

    # How counter.transitions moves a case (one mechanism for every entity).
    audit_noun: ClassVar[str] = "case"
    transition_conflict_code: ClassVar[str] = "case-state-conflict"
    transition_conflict_message: ClassVar[Any] = _(
        "This case is now “%(state)s”; that step is not possible any more."
    )
    transition_changed_code: ClassVar[str] = "case-changed"
    transition_changed_message: ClassVar[Any] = _(
        "Someone else changed this case meanwhile. Reload it."
    )

    def transition_history(
        self,
        *,
        name: str,
        from_state: str,
        actor: Any,
        actor_label: str,
        desk: Any,
        reason: str,
        code: str,
    ) -> None:
        CaseStatusChange.objects.create(
            case=self,
            from_state=from_state,
            to_state=self.state,
            transition=name,
            actor=actor,
            desk=desk,
            reason=reason,
        )

    def transition_audit_scope(self) -> dict[str, Any]:
        return {"case": self}

    def transition_is_repeat(self, name: str, actor: Any) -> bool:
        """The same person's double-submitted form: the last change was this very
        transition by them."""
        last = self.history.order_by("-at", "-pk").first()
        return (
            last is not None
            and last.transition == name
            and actor is not None
            and getattr(actor, "is_authenticated", False)
            and last.actor_id == actor.pk
        )


class CaseStatusChange(AppendOnly, models.Model):
    """One transition of a case: from, to, who, which desk, when, why. Never edited."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="history", verbose_name=_("case")
    )
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40)
    transition = models.CharField(_("transition"), max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    desk = models.ForeignKey(
        Desk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    append_only_message = "Status history is append-only."

    objects = ScopedManager()
    scope_municipality = "case__municipality"
    scope_office = "case__office"

    class Meta:
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_state} → {self.to_state}"


class RegisterEvent(models.Model):
    """A change the resident register reported (§8), kept so a re-sent event is
    applied once and a supervisor can see what triggered a revocation."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="register_events",
        verbose_name=_("municipality"),
    )
    event_id = models.CharField(_("event id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=30)
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="register_events",
        verbose_name=_("resident"),
    )
    occurred_on = models.DateField(_("occurred on"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    minor_correction = models.BooleanField(_("minor correction"), default=False)
    outcome = models.JSONField(_("what was done"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("register event")
        verbose_name_plural = _("register events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "event_id"], name="register_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


# The per-procedure machines are proxy models of Case; importing them here
# registers them with the app while its models load.
from counter import workflows as _workflows  # noqa: E402,F401
