"""jpki_ops models.

The first two belong to the SIMULATED issuer (J-LIS): its register of issued
certificates and the CRLs it published. A real J-LIS keeps these on its side; the
procedures read certificate state through the issuer gateway, never these tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from counter.constants import CardOperationKind, CertificateKind
from counter.models.append_only import AppendOnly
from counter.scoping import ScopedManager


class IssuedCertificateState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended (certificate hold)")
    REVOKED = "revoked", _("Revoked")


class IssuedCertificateRecord(models.Model):
    """SIMULATION: one certificate the simulated J-LIS issued.

    Holds no personal data: serial, kind, card, fingerprint, validity and state.
    """

    serial = models.CharField(_("serial number (hex)"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    card_id = models.CharField(_("card id"), max_length=32, db_index=True)
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=IssuedCertificateState.choices,
        default=IssuedCertificateState.ACTIVE,
    )
    revocation_reason = models.PositiveSmallIntegerField(
        _("RFC 5280 reason code"), null=True, blank=True
    )
    state_changed_at = models.DateTimeField(
        _("state changed at"), null=True, blank=True
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    # §12: a smartphone certificate belongs to the card it was registered from.
    medium = models.CharField(_("medium"), max_length=12, default="card")
    platform = models.CharField(_("smartphone platform"), max_length=12, blank=True)
    # §11: the PIN of this certificate's key was last reset at a kiosk.
    kiosk_pin_reset_at = models.DateTimeField(
        _("PIN reset at a kiosk"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("certificate issued by the simulated issuer")
        verbose_name_plural = _("certificates issued by the simulated issuer")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="revoked")
                | models.Q(revocation_reason__isnull=False),
                name="jpki_issued_cert_revoked_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.serial} ({self.state})"

    @property
    def serial_int(self) -> int:
        return int(self.serial, 16)


class PublishedCrl(models.Model):
    """SIMULATION: a CRL the simulated issuer published (newest per kind is served)."""

    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    number = models.PositiveIntegerField(_("CRL number"))
    this_update = models.DateTimeField(_("this update"))
    next_update = models.DateTimeField(_("next update"))
    der = models.BinaryField(_("DER"))

    class Meta:
        verbose_name = _("CRL published by the simulated issuer")
        verbose_name_plural = _("CRLs published by the simulated issuer")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"], name="jpki_crl_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} CRL #{self.number}"


# --- Card operations and desk agents (jpki-B) ------------------------------------
#
# The clerk's screen requests a card operation; the desk agent next to the reader
# claims it by long-polling, runs it on the card and posts the outcome. Rows, not
# messages, so a restarted process loses nothing (docs/reference/architecture.md "Desk
# agent").
# A PIN is never a field here: parameters, progress and results carry only what
# the card said about it (tries left, blocked), never a value.


# Kinds an agent may simply run again after a restart: they change nothing on the
# card and spend no PIN try. Everything else fails cleanly instead (never twice).
IDEMPOTENT_CARD_OPERATION_KINDS = frozenset(
    {CardOperationKind.READ_CARD, CardOperationKind.PIN_STATUS}
)


class CardOperationState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CLAIMED = "claimed", _("Running at the desk")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    TIMED_OUT = "timed_out", _("Timed out")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired before the desk agent took it")


CARD_OPERATION_OPEN_STATES = (CardOperationState.REQUESTED, CardOperationState.CLAIMED)
_S = CardOperationState


class CardOperation(ConcurrentTransitionMixin, models.Model):
    """One thing to do with the card at one desk (requested → claimed → finished).

    ``state`` moves only through the transitions declared below, run by
    ``counter.transitions.transition_run``: each writes a
    :class:`CardOperationStatusChange` row and its ``card_operation_<name>`` audit
    entry, so the transitions are named after what the audit trail records.
    """

    desk = models.ForeignKey(
        "counter.Desk",
        on_delete=models.PROTECT,
        related_name="card_operations",
        verbose_name=_("desk"),
    )
    case = models.ForeignKey(
        "counter.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="card_operations",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CardOperationKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    state = FSMField(
        _("state"),
        max_length=20,
        choices=CardOperationState.choices,
        default=CardOperationState.REQUESTED,
        protected=True,
        db_index=True,
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    claimed_by = models.CharField(
        _("claimed by (agent session)"), max_length=100, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    error_message = models.CharField(_("error message"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "desk__office__municipality"
    scope_office = "desk__office"

    class Meta:
        verbose_name = _("card operation")
        verbose_name_plural = _("card operations")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "idempotency_key"], name="card_operation_idempotency"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="claimed") | ~models.Q(claimed_by=""),
                name="card_operation_claimed_has_agent",
            ),
        ]
        indexes = [models.Index(fields=["desk", "state", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state not in CARD_OPERATION_OPEN_STATES

    # --- the transition table ------------------------------------------------------

    @transition(field=state, source=_S.REQUESTED, target=_S.CLAIMED)
    def claimed(self, *, agent_session: str, at: dt.datetime) -> None:
        """The desk's agent took the request and runs it on the card."""
        self.claimed_by = agent_session
        self.claimed_at = at
        self.attempts += 1

    @transition(field=state, source=_S.CLAIMED, target=_S.REQUESTED)
    def resumed(self) -> None:
        """A restarted agent left it claimed; running it again is harmless."""
        self.claimed_by = ""
        self.claimed_at = None
        self.progress = {"stage": "resumed"}

    @transition(field=state, source=_S.CLAIMED, target=_S.SUCCEEDED)
    def succeeded(self, *, result: dict[str, Any], at: dt.datetime) -> None:
        self.result = result
        self.finished_at = at

    @transition(field=state, source=_S.CLAIMED, target=_S.FAILED)
    def failed(
        self,
        *,
        error_code: str,
        message: str,
        result: dict[str, Any] | None,
        at: dt.datetime,
    ) -> None:
        """What the card or the agent met; ``result`` keeps what the card said."""
        self.error_code = error_code[:60]
        self.error_message = message[:500]
        if result is not None:
            self.result = result
        self.finished_at = at

    @transition(field=state, source=_S.REQUESTED, target=_S.CANCELLED)
    def cancelled(self, *, at: dt.datetime) -> None:
        """The clerk withdrew it before the agent picked it up."""
        self.error_code = "cancelled"
        self.finished_at = at

    @transition(field=state, source=_S.REQUESTED, target=_S.EXPIRED)
    def expired(self, *, error_code: str, message: str, at: dt.datetime) -> None:
        """Not claimed within the limit, or requested before the agent started: a
        stale request is never run on whatever card is in the reader later."""
        self.error_code = error_code
        self.error_message = message
        self.finished_at = at

    @transition(field=state, source=[_S.REQUESTED, _S.CLAIMED], target=_S.TIMED_OUT)
    def timed_out(self, *, message: str, at: dt.datetime) -> None:
        """Nobody claimed it, or the agent never reported, in time."""
        self.error_code = "card-operation-timed-out"
        self.error_message = message
        self.finished_at = at

    # --- how counter.transitions moves it (one mechanism for every entity) ---------

    audit_noun: ClassVar[str] = "card_operation"
    transition_conflict_code: ClassVar[str] = "card-operation-state-conflict"
    transition_conflict_message: ClassVar[Any] = _(
        "The operation is already running at the desk or finished."
    )
    transition_changed_code: ClassVar[str] = "card-operation-changed"
    transition_changed_message: ClassVar[Any] = _(
        "This operation is not running at this desk agent any more."
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
        CardOperationStatusChange.objects.create(
            operation=self,
            from_state=from_state,
            to_state=self.state,
            transition=name,
            actor=actor,
            actor_label=actor_label,
            code=code,
        )

    def transition_audit_scope(self) -> dict[str, Any]:
        return {"case": self.case}

    def transition_is_repeat(self, name: str, actor: Any) -> bool:
        """Repeats (an agent's retried post) are answered by the services."""
        return False


class CardOperationStatusChange(AppendOnly, models.Model):
    """One state change of a card operation: from, to, who, when. Never edited."""

    operation = models.ForeignKey(
        CardOperation,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("card operation"),
    )
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    transition = models.CharField(_("transition"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (agent)"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=60, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    append_only_message = "Card operation history is append-only."

    objects = ScopedManager()
    scope_municipality = "operation__desk__office__municipality"
    scope_office = "operation__desk__office"

    class Meta:
        verbose_name = _("card operation status change")
        verbose_name_plural = _("card operation status changes")
        ordering = ["operation", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.from_state} → {self.to_state}"


class CardManufactureRecord(models.Model):
    """The identifier a card was manufactured with, recorded for the municipality's
    card when it was handed over (交付).

    A card with no certificate has nothing else to recognise it by; the issuer's
    register of certificates names cards by this identifier too.
    """

    card = models.OneToOneField(
        "counter.Card",
        on_delete=models.PROTECT,
        related_name="manufacture_record",
        verbose_name=_("card"),
    )
    manufacture_id = models.CharField(
        _("manufacture identifier"), max_length=32, unique=True
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedManager()
    scope_municipality = "card__municipality"

    class Meta:
        verbose_name = _("card manufacture record")
        verbose_name_plural = _("card manufacture records")

    def __str__(self) -> str:
        return f"{self.card_id}: {self.manufacture_id}"


class DeskAgentCredential(models.Model):
    """The secret a desk agent authenticates with; only its SHA-256 is stored."""

    desk = models.ForeignKey(
        "counter.Desk",
        on_delete=models.PROTECT,
        related_name="agent_credentials",
        verbose_name=_("desk"),
    )
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True)
    token_prefix = models.CharField(_("token prefix"), max_length=12)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # docs/security/input-and-desk.md: a credential ends, and is bound to the
    # agent's key pair so that a copied token alone opens no session.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    public_key = models.CharField(
        _("agent public key (Ed25519, base64)"), max_length=64, blank=True
    )
    proven_session = models.CharField(
        _("agent session proven with the key"), max_length=100, blank=True
    )
    proven_at = models.DateTimeField(_("key proven"), null=True, blank=True)

    objects = ScopedManager()
    scope_municipality = "desk__office__municipality"
    scope_office = "desk__office"

    class Meta:
        verbose_name = _("desk agent credential")
        verbose_name_plural = _("desk agent credentials")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.desk} {self.token_prefix}…"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
