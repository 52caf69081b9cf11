"""Inquiry letters (照会書兼回答書) and print runs, with an append-only history.

Lifecycle (docs/rules/06-agents.md §6.2; docs/reference/style.md §3.8)::

    queued → rendered → printed → mailed → answered
                                         → returned_undeliverable (宛所不明)
                                         → expired
    queued → failed   (rendering failed after its retries; terminal until a
                       supervisor retries it → queued)
    queued → flagged  (the name or address cannot be printed; kept, fixed by a
                       supervisor, retried → queued)

The lifecycle is declared on :class:`InquiryLetter` as django-fsm transitions, one
per target state, named after it (so the audit action is ``letter_<target>``).
``state`` is protected: only :func:`counter.transitions.transition_run` (called by
:mod:`counter.letters.services`) moves it, appending a :class:`LetterStatusChange`
and an audit event.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from counter.models.append_only import AppendOnly
from counter.models.cases import Case
from counter.models.tenancy import Municipality, Office
from counter.scoping import ScopedManager

from . import checks as _checks  # noqa: F401 (registers the font check)


class LetterState(models.TextChoices):
    QUEUED = "queued", _("Queued for rendering")
    RENDERED = "rendered", _("Rendered")
    PRINTED = "printed", _("Printed")
    MAILED = "mailed", _("Mailed")
    ANSWERED = "answered", _("Answered")
    RETURNED_UNDELIVERABLE = "returned_undeliverable", _("Returned undeliverable")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Rendering failed")
    FLAGGED = "flagged", _("Flagged: cannot be printed")


S = LetterState
#: Letters still waiting for their answer or a supervisor: the deadline expires them.
EXPIRABLE_STATES = (S.QUEUED, S.RENDERED, S.PRINTED, S.MAILED, S.FAILED, S.FLAGGED)
#: Letters that should move on by themselves; listed when they stay too long.
STUCK_STATES = (S.QUEUED, S.RENDERED, S.PRINTED)


class LetterKindChoice(models.TextChoices):
    PIN = "pin", _("PIN change or reset inquiry")
    CERTIFICATE = "certificate", _("Certificate issuance or renewal inquiry")
    REVOCATION = "revocation", _("Revocation inquiry")
    SUSPENSION_LIFT = "suspension_lift", _("Suspension lifting inquiry")


class PrintRun(models.Model):
    """One day's batch: a multi-page PDF and a manifest sorted by postal code."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="print_runs",
        verbose_name=_("municipality"),
    )
    run_date = models.DateField(_("run date"))
    sequence = models.PositiveSmallIntegerField(_("run of the day"), default=1)
    letter_count = models.PositiveIntegerField(_("letters"), default=0)
    pdf = models.BinaryField(_("PDF"), editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, editable=False)
    manifest_csv = models.TextField(_("manifest (CSV)"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope_municipality = "municipality"

    class Meta:
        verbose_name = _("print run")
        verbose_name_plural = _("print runs")
        ordering = ["-run_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "run_date", "sequence"],
                name="print_run_unique_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_date:%Y-%m-%d} #{self.sequence} ({self.letter_count})"


class InquiryLetter(ConcurrentTransitionMixin, models.Model):
    """The inquiry letter of one visit of one case, mailed to the holder."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="inquiry_letters",
        verbose_name=_("municipality"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="inquiry_letters",
        verbose_name=_("office"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="inquiry_letters",
        verbose_name=_("case"),
    )
    visit = models.PositiveSmallIntegerField(_("visit"), default=1)
    reference = models.CharField(_("reference code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKindChoice.choices)
    procedure = models.CharField(_("procedure"), max_length=30)
    state = FSMField(
        _("state"),
        max_length=30,
        choices=LetterState.choices,
        default=LetterState.QUEUED,
        protected=True,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state since"))
    # Snapshot of what is printed: the letter shows what was true when requested.
    recipient_name = models.CharField(_("addressee"), max_length=100)
    recipient_postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    recipient_address = models.CharField(_("address"), max_length=300)
    agent_name = models.CharField(_("agent"), max_length=100)
    first_visit_on = models.DateField(_("first visit"))
    deadline = models.DateField(_("second visit by"))
    issued_on = models.DateField(_("letter date"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("rendering attempts"), default=0)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    print_run = models.ForeignKey(
        PrintRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("print run"),
    )
    case_flagged = models.BooleanField(
        _("case flagged"),
        default=False,
        help_text=_("The case was told that this letter expired or came back."),
    )
    stuck_since = models.DateTimeField(
        _("listed as stuck since"), null=True, blank=True
    )
    published_at = models.DateTimeField(
        _("render message last published"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The letter row is the outbox: a queued letter whose message is older "
            "than the profile's threshold is published again."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope_municipality = "municipality"
    scope_office = "office"

    class Meta:
        verbose_name = _("inquiry letter")
        verbose_name_plural = _("inquiry letters")
        ordering = ["-created_at"]
        constraints = [
            # docs/rules/06-agents.md §6.2: one inquiry per visit; a re-run reuses this
            # row.
            models.UniqueConstraint(
                fields=["case", "visit"], name="inquiry_letter_one_per_case_visit"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "state_changed_at"]),
            models.Index(fields=["state", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.reference

    # ---------------------------------------------------------- transitions
    # docs/rules/06-agents.md §6.2 for the paper's life; docs/reference/style.md §3.8
    # for failed/flagged/retry.
    # One transition per target, named after it: the audit action is
    # ``letter_<target>`` whichever state the letter came from.

    def _stamp(self) -> None:
        """Every move restarts the state clock and clears the stuck listing."""
        self.state_changed_at = timezone.now()
        self.stuck_since = None

    @transition(field=state, source=S.QUEUED, target=S.RENDERED)
    def rendered(self) -> None:
        """The PDF was made."""
        self._stamp()

    @transition(field=state, source=S.QUEUED, target=S.FAILED)
    def failed(self) -> None:
        """Rendering failed after its retries (terminal until a retry)."""
        self._stamp()

    @transition(field=state, source=S.QUEUED, target=S.FLAGGED)
    def flagged(self) -> None:
        """The name or address cannot be printed; a supervisor fixes it."""
        self._stamp()

    @transition(field=state, source=[S.FAILED, S.FLAGGED], target=S.QUEUED)
    def queued(self) -> None:
        """A supervisor retries a failed or flagged letter."""
        self._stamp()

    @transition(field=state, source=S.RENDERED, target=S.PRINTED)
    def printed(self) -> None:
        """The letter went into a print run."""
        self._stamp()

    @transition(field=state, source=S.PRINTED, target=S.MAILED)
    def mailed(self) -> None:
        """The printed letter was handed to the post."""
        self._stamp()

    @transition(
        field=state, source=[S.RENDERED, S.PRINTED, S.MAILED], target=S.ANSWERED
    )
    def answered(self) -> None:
        """The answer sheet came back at the second visit."""
        self._stamp()

    @transition(
        field=state, source=[S.PRINTED, S.MAILED], target=S.RETURNED_UNDELIVERABLE
    )
    def returned_undeliverable(self) -> None:
        """The post returned the letter (宛所不明)."""
        self._stamp()

    @transition(field=state, source=list(EXPIRABLE_STATES), target=S.EXPIRED)
    def expired(self) -> None:
        """The second-visit deadline passed unanswered."""
        self._stamp()

    # How counter.transitions moves a letter (one mechanism for every entity).
    audit_noun: ClassVar[str] = "letter"
    transition_conflict_code: ClassVar[str] = "letter-transition-not-allowed"
    transition_conflict_message: ClassVar[Any] = _(
        "The letter is %(state)s; it cannot become %(target)s."
    )
    transition_changed_code: ClassVar[str] = "letter-busy"
    transition_changed_message: ClassVar[Any] = _(
        "This letter is being processed right now; try again in a moment."
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
        LetterStatusChange.objects.create(
            letter=self,
            from_state=from_state,
            to_state=self.state,
            actor=actor,
            actor_label=actor_label,
            code=code,
        )

    def transition_audit_scope(self) -> dict[str, Any]:
        return {"case": self.case}

    def transition_is_repeat(self, name: str, actor: Any) -> bool:
        """Letters have no harmless repeats: a refused move is always refused."""
        return False


class LetterStatusChange(AppendOnly, models.Model):
    """One transition of a letter: from, to, who, when, why. Never edited."""

    letter = models.ForeignKey(
        InquiryLetter,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("inquiry letter"),
    )
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (system)"), max_length=60, blank=True)
    code = models.CharField(_("code"), max_length=60, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    append_only_message = "Letter history is append-only."

    objects = ScopedManager()
    scope_municipality = "letter__municipality"
    scope_office = "letter__office"

    class Meta:
        verbose_name = _("letter status change")
        verbose_name_plural = _("letter status changes")
        ordering = ["letter", "at", "pk"]

    def __str__(self) -> str:
        names = dict(LetterState.choices)
        before = names.get(self.from_state, self.from_state) or "-"
        return f"{self.letter}: {before} → {names.get(self.to_state, self.to_state)}"


__all__ = [
    "InquiryLetter",
    "LetterKindChoice",
    "LetterState",
    "LetterStatusChange",
    "PrintRun",
]
