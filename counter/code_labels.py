"""Readable names of the codes a person could otherwise see (issue 15).

The audit trail stores stable snake_case codes; neither the case page nor the
admin shows a code to a person: a known action gets its name, any other a
generic one. A choice value (a state, a procedure, a role …) gets its label.
``<action>_refused`` entries (the services' refusals) get the refused step's name
with "refused".
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from counter import constants
from counter.letters.models import LetterKindChoice, LetterState
from counter.models.cases import CaseState

ACTION_LABELS: dict[str, Promise] = {
    "case_opened": _("Case opened"),
    "case_open": _("Reception"),
    "case_record_documents": _("Documents recorded"),
    "identity_documents_checked": _("Identity documents checked"),
    "case_request_card_operation": _("Card operation requested"),
    "card_operation_requested": _("Card operation queued for the desk"),
    "card_operation_claimed": _("Desk agent started the card operation"),
    "card_operation_resumed": _("Card operation resumed after an agent restart"),
    "card_command_authorised": _("Issuer authorised a card command"),
    "certificate_issued_for_card": _("Issuer issued a certificate"),
    "card_operation_succeeded": _("Card operation succeeded"),
    "card_operation_failed": _("Card operation failed"),
    "card_operation_timed_out": _("Card operation timed out"),
    "card_operation_cancelled": _("Card operation withdrawn"),
    "case_card_operation_succeeded": _("Card operation applied to the case"),
    "case_card_operation_failed": _("Card operation failure applied to the case"),
    "certificate_recorded": _("New certificate recorded"),
    "certificate_revoked": _("Certificate revoked"),
    "certificate_suspended": _("Certificate suspended"),
    "certificate_suspension_lifted": _("Suspension lifted"),
    "case_send_inquiry": _("Inquiry letter requested"),
    "letter_queued": _("Letter queued for rendering"),
    "letter_rendered": _("Letter rendered"),
    "letter_answered": _("Answer sheet returned"),
    "letter_pdf_viewed": _("Letter PDF opened"),
    "case_second_visit": _("Second visit"),
    "case_complete": _("Completed"),
    "case_completed": _("Completed"),
    "case_cancel": _("Cancelled"),
    "case_approve_exception": _("Exception approved"),
    "case_reject_exception": _("Exception rejected"),
    "case_flagged": _("Case flagged"),
    "letter_requeued": _("Letter queued again"),
    "letter_stuck": _("Letter stuck"),
    "letter_case_flagged": _("Case flagged by a letter"),
    "print_run_created": _("Print run created"),
    "print_run_downloaded": _("Print run downloaded"),
    "login_succeeded": _("Logged in"),
    "login_locked_out": _("Login locked after failed attempts"),
    "logout": _("Logged out"),
    "second_factor_reset": _("Second factor reset by a supervisor"),
    "api_token_revoked": _("API token revoked"),
    "api_token_issued": _("API token handed to an integration"),
    "login_lockout_cleared": _("Login unlocked by a supervisor"),
    "password_changed": _("Password changed"),
    "password_reset_by_supervisor": _("Password reset by a supervisor"),
    "second_factor_enrolled": _("Second factor enrolled"),
    "second_factor_verified": _("Second factor verified"),
    "second_factor_failed": _("Second factor failed"),
    "sessions_revoked": _("Sessions ended"),
    "municipality_created": _("Municipality created"),
    "resident_created": _("Resident registered"),
    "resident_updated": _("Resident updated"),
    "register_event_applied": _("Resident register change applied"),
    "daily_counts_exported": _("Daily counts exported"),
    "document_policy_changed": _("Document policy changed"),
    "requirement_rule_changed": _("Requirement rule changed"),
    "requirement_rule_added": _("Requirement rule added"),
    "requirement_rules_rebuilt": _("Requirement rules rebuilt"),
    "admin_record_changed": _("Record changed in the administration"),
    "admin_record_deleted": _("Record deleted in the administration"),
    "admin_access_refused": _("Administration access refused"),
    "admin_change_refused": _("Administration change refused"),
    "screen_access_refused": _("Screen access refused"),
    "card_status_changed": _("Card status changed"),
    "card_suspended": _("Card suspended"),
    "card_suspension_lifted": _("Card suspension lifted"),
    "card_fingerprint_recorded": _("Card key fingerprint recorded"),
    "card_fingerprint_updated": _("Card key fingerprint updated"),
    "card_manufacture_id_recorded": _("Card manufacture number recorded"),
    "card_reader_card_changed": _("Card in the desk's reader changed"),
    "certificate_revoked_at_issuer": _("Certificate revoked at the issuer"),
    "desk_agent_credential_issued": _("Desk agent credential issued"),
    "desk_agent_credential_revoked": _("Desk agent credential revoked"),
    "desk_agent_credential_rotated": _("Desk agent credential rotated"),
    "desk_agent_session_proven": _("Desk agent proved its key"),
    "scan_stored": _("Scanned copy stored"),
    "scan_viewed": _("Scanned copy viewed"),
    "scan_purged": _("Scanned copy deleted"),
}

#: Every choice value of the code's vocabularies with its label.
_CHOICES: list[type[models.Choices]] = [
    *(
        value
        for value in vars(constants).values()
        if isinstance(value, type) and issubclass(value, models.Choices)
    ),
    CaseState,
    LetterState,
    LetterKindChoice,
]
CODE_LABELS: dict[str, str | Promise] = {
    str(value): label
    for enum in _CHOICES
    for value, label in zip(enum.values, enum.labels, strict=True)
    if value
}


def code_label(value: str) -> str:
    """The label of a choice value; anything else as it is."""
    return str(CODE_LABELS[value]) if value in CODE_LABELS else value


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.endswith("_refused"):
        step = ACTION_LABELS.get(action.removesuffix("_refused"))
        return str(_("Refused: %(step)s") % {"step": step or _("a step of the case")})
    return str(_("Recorded event"))
