"""Clerk-readable sentences for rules and rejections, in Japanese and English.

Source strings are English (gettext); :func:`both` renders one message twice, once
with Japanese active and once with English, so the API can return both and the
screen can read the Japanese aloud. Sentences are built from whole patterns with
named placeholders so the Japanese word order stays natural.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from identity_docs.constants import (
    CARD_CODE,
    JLIS_ANSWER_SHEET_CODE,
    ApplicantRole,
    DocumentClass,
    Fact,
    Owner,
)
from identity_docs.rules import Rule, Slot


def both(render: Callable[[], str]) -> tuple[str, str]:
    """Return ``(message_ja, message_en)`` for a message built by ``render``."""
    with translation.override("ja"):
        ja = render()
    with translation.override("en"):
        en = render()
    return ja, en


def _whose(owner: str, role: str) -> str:
    if owner == Owner.HOLDER or role == ApplicantRole.HOLDER:
        return _("the holder's")
    if role == ApplicantRole.LEGAL_REPRESENTATIVE:
        return _("the legal representative's")
    return _("the agent's")


def _class_phrase(classes: tuple[str, ...]) -> str:
    labels = {DocumentClass.A.value: _("class A"), DocumentClass.B.value: _("class B")}
    return _(" or ").join(labels[c] for c in classes)


def _special(slot: Slot, role: str) -> str | None:
    """Phrases for the slots that are not plain class A / class B documents."""
    whose = _whose(slot.owner, role)
    if slot.codes == (CARD_CODE,):
        return _("%(whose)s My Number Card") % {"whose": whose}
    if slot.classes == (DocumentClass.PROOF_OF_AUTHORITY,):
        text = _(
            "a document proving the legal representative's authority "
            "(family register extract, guardianship registry certificate, etc.)"
        )
        if slot.max_age_months:
            text += _(", issued within the last %(months)d months") % {
                "months": slot.max_age_months
            }
        return text
    if slot.classes == (DocumentClass.PROOF_OF_INABILITY,):
        return _(
            "a document proving the holder cannot come to the city hall (medical "
            "certificate, disability handbook, facility residence certificate, "
            "etc.; being busy with work or school is not accepted)"
        )
    if slot.codes == (JLIS_ANSWER_SHEET_CODE,) and not slot.classes:
        if slot.sealed:
            return _(
                "the inquiry-and-answer sheet J-LIS sent with the expiry notice, "
                "in its sealed envelope"
            )
        return _("the inquiry-and-answer sheet J-LIS sent with the expiry notice")
    if slot.classes == (DocumentClass.ANSWER_SHEET,):
        if slot.sealed:
            return _("the answer sheet mailed to the holder, in its sealed envelope")
        return _("the answer sheet mailed to the holder")
    if slot.classes == (DocumentClass.POWER_OF_ATTORNEY,):
        return _("a power of attorney signed by the holder")
    return None


def describe_slot(slot: Slot, role: str) -> str:
    special = _special(slot, role)
    if special is not None:
        return special
    classes = tuple(c for c in slot.classes if c in (DocumentClass.A, DocumentClass.B))
    what = _class_phrase(classes) if classes else _(" or ").join(slot.codes)
    if slot.photo:
        docs = ngettext(
            "%(count)d %(what)s photo document",
            "%(count)d %(what)s photo documents",
            slot.count,
        ) % {"count": slot.count, "what": what}
    else:
        docs = ngettext(
            "%(count)d %(what)s document",
            "%(count)d %(what)s documents",
            slot.count,
        ) % {"count": slot.count, "what": what}
    if CARD_CODE in slot.exclude:
        docs = _("%(docs)s other than the My Number Card") % {"docs": docs}
    if slot.min_public:
        docs = _("%(docs)s (at least one issued by a public body)") % {"docs": docs}
    return _("%(whose)s %(docs)s") % {"whose": _whose(slot.owner, role), "docs": docs}


def describe_rule(rule: Rule, role: str) -> str:
    if rule.not_permitted and rule.only_if == Fact.JLIS_ANSWER_SHEET:
        return _(
            "the inquiry method in two visits (this city does not renew in one "
            "visit with the J-LIS sheet)"
        )
    if rule.not_permitted:
        return _(
            "a voluntary agent cannot do this procedure here; the holder or a "
            "legal representative must come"
        )
    alternatives = [
        _(" and ").join(describe_slot(slot, role) for slot in alternative)
        for alternative in rule.alternatives
    ]
    return _(", or ").join(alternatives)


def missing_message(rule: Rule, role: str) -> tuple[str, str]:
    return both(
        lambda: _("Still needed: %(what)s.") % {"what": describe_rule(rule, role)}
    )


#: Stable rejection codes with the sentence the clerk reads aloud.
REJECTION_REASONS: dict[str, Callable[[], str]] = {
    "unknown-document": lambda: _("This document is not in the catalogue."),
    "not-accepted-here": lambda: _("This city does not accept this document."),
    "reason-not-accepted": lambda: _(
        "This reason is not accepted (being busy with work or school does not count)."
    ),
    "copy-not-accepted": lambda: _("Only originals count; a copy is not accepted."),
    "issued-in-future": lambda: _("The issue date is after today."),
    "expired": lambda: _("The document has expired."),
    # docs/rules/05-identity-documents.md §5.3: kinds that ended nationally.
    "health-insurance-card-ended": lambda: _(
        "Health insurance cards stopped being issued on 2 December 2024 and every "
        "one ended on 1 December 2025 at the latest; it no longer counts. Ask for "
        "the eligibility certificate (資格確認書) instead, or record a long-term-care "
        "insurance card as such."
    ),
    "resident-register-card-ended": lambda: _(
        "Basic resident register cards were last issued in December 2015 and are "
        "valid for ten years, so none is valid any more; it no longer counts."
    ),
    "expiry-date-missing": lambda: _("Enter the expiry date shown on the document."),
    "issue-date-missing": lambda: _("Enter the issue date shown on the document."),
    "issued-before-cutoff": lambda: _(
        "Issued before the date from which this document is accepted "
        "(a driving history certificate counts only if issued on or after "
        "1 April 2012)."
    ),
    "too-old": lambda: _("Issued too long ago to be accepted."),
    "envelope-not-sealed": lambda: _(
        "The answer sheet's envelope was not sealed; it cannot be accepted."
    ),
    "wrong-owner": lambda: _(
        "This document belongs to the wrong person for this step."
    ),
    "photo-required": lambda: _("A document with a photo is needed here."),
    "card-not-other-document": lambda: _(
        "The My Number Card itself does not count as the other identity document."
    ),
    "not-accepted-for-procedure": lambda: _(
        "This document is not one of those needed for this procedure."
    ),
    "combination-not-allowed": lambda: _(
        "This document counts, but not in this combination; see what is still needed."
    ),
    "not-needed": lambda: _("Not needed: the requirement is already met without it."),
}


def rejection_message(reason: str) -> tuple[str, str]:
    return both(REJECTION_REASONS[reason])
