"""Clerk-readable names of audit actions shown in a case's history.

The audit trail stores stable snake_case codes; the case page never shows a code
to a person (issue 15): a known action gets its name, any other a generic one.
``<action>_refused`` entries (the services' refusals) get the refused step's name
with "refused".
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.endswith("_refused"):
        step = ACTION_LABELS.get(action.removesuffix("_refused"))
        return str(_("Refused: %(step)s") % {"step": step or _("a step of the case")})
    return str(_("Recorded event"))
