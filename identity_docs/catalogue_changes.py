"""The shape of a catalogue entry, and what national changes did to the seed's list.

An entry (:func:`kind_entry`) has these fields besides its code, names and class:

- ``photo``: the document carries the bearer's photo.
- ``public_issuer``: issued by a public body (官公署), which the two-tier B lists of
  some cities need (docs/rules/05-identity-documents.md §5.1, VARIES).
- ``issued_on_or_after``: ISO date; an older document never counts
  (運転経歴証明書: only if issued on or after 2012-04-01).
- ``has_expiry``: the document shows an expiry date; it counts only until then.
- ``expiry_required``: the clerk must enter that expiry date for it to count.
- ``max_age_months``: it counts only this many months after issue.
- ``accepted``: ``False`` for kinds the clerk records but which never count,
  e.g. "busy with work or school" offered as the reason the holder cannot come.

The seed city's list predates two national changes (docs/rules/05-identity-documents.md
§5.3): the 健康保険証 ended and the 資格確認書 took its place, and the 住基カード ran
out. :data:`SINCE_THE_SEED` adds the new kinds; :data:`NATIONAL_ENDS` gives the
last day a kind can count anywhere. An end date is national law, not a city's choice,
so it lives here and not on a municipality's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

A, B = "A", "B"
AUTHORITY = "proof_of_authority"
INABILITY = "proof_of_inability"
ANSWER = "answer_sheet"
ATTORNEY = "power_of_attorney"

#: The seed's combined 「健康保険又は介護保険の被保険者証」 row.
HEALTH_INSURANCE_CARD = "health_or_care_insurance_card"
RESIDENT_REGISTER_CARD = "basic_resident_register_card"
QUALIFICATION_CERTIFICATE = "insurance_qualification_certificate"
CARE_INSURANCE_CARD = "care_insurance_card"


def kind_entry(
    code: str,
    name_ja: str,
    name_en: str,
    document_class: str,
    *,
    photo: bool = False,
    public_issuer: bool = True,
    issued_on_or_after: str | None = None,
    has_expiry: bool = False,
    expiry_required: bool = False,
    max_age_months: int | None = None,
    accepted: bool = True,
) -> dict[str, Any]:
    """One catalogue row as data (the fields of ``IdentityDocumentKind``)."""
    return {
        "code": code,
        "name_ja": name_ja,
        "name_en": name_en,
        "document_class": document_class,
        "photo": photo,
        "public_issuer": public_issuer,
        "issued_on_or_after": issued_on_or_after,
        "has_expiry": has_expiry,
        "expiry_required": expiry_required,
        "max_age_months": max_age_months,
        "accepted": accepted,
    }


#: Class B kinds the seed's list predates: the 資格確認書 that replaced the
#: 健康保険証 from 2024-12-02 (S-mie-passport; デジタル庁 FAQ 3505), and the
#: care-insurance card, which the seed names together with the health card and
#: which goes on after it ended.
SINCE_THE_SEED: list[dict[str, Any]] = [
    kind_entry(
        QUALIFICATION_CERTIFICATE,
        "資格確認書",
        "Health insurance eligibility certificate",
        B,
        has_expiry=True,
    ),
    kind_entry(
        CARE_INSURANCE_CARD,
        "介護保険の被保険者証",
        "Long-term-care insurance card",
        B,
        has_expiry=True,
    ),
]


@dataclass(frozen=True)
class NationalEnd:
    """The last day a kind counts anywhere, and the rejection code naming the rule."""

    last_day: date
    reason: str


#: Kinds that ended nationally (docs/rules/05-identity-documents.md §5.3); no city's
#: choice brings them back. 健康保険証: none issued since 2024-12-02, every one ended
#: on 2025-12-01 at the latest. 住基カード: last issued in December 2015, valid for
#: ten years (docs/rules/01-legal-frame.md §1: J-LIS's cards since January 2016).
NATIONAL_ENDS: dict[str, NationalEnd] = {
    HEALTH_INSURANCE_CARD: NationalEnd(
        date(2025, 12, 1), "health-insurance-card-ended"
    ),
    RESIDENT_REGISTER_CARD: NationalEnd(
        date(2025, 12, 31), "resident-register-card-ended"
    ),
}


def national_end_problem(code: str, on_date: date) -> str | None:
    """The rejection code if the kind ``code`` no longer counts on ``on_date``."""
    end = NATIONAL_ENDS.get(code)
    if end is None or on_date <= end.last_day:
        return None
    return end.reason
