"""The seed city's requirement rules, built from a city's policy choices.

``default_rules(policy)`` returns, for every procedure × applicant role × visit, the
rules as JSON (see :mod:`identity_docs.rules`) and a note citing where each comes
from. With :data:`SEED_POLICY` it encodes the seed city (Atsugi's PIN page and the
certificate page in ``docs/rules/seed.md``; docs/rules "Default
profile: the seed city"). The other policy values are the VARIES points of
docs/rules/05-identity-documents.md
§5–§6 that other cities choose differently; :data:`SAYAMA_POLICY` is one of them.

Where the seed is silent (revocation, lifting a suspension, a legal representative
for certificates) the defaults follow docs/rules/05-identity-documents.md §5.2, §9
and §10 and say so in the
note; ``docs/identity-documents.md`` lists those choices.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from identity_docs.constants import (
    CARD_CODE,
    JLIS_ANSWER_SHEET_CODE,
    ApplicantRole,
    Fact,
    Owner,
    Procedure,
)

HOLDER, AGENT_ROLE, REP = (
    ApplicantRole.HOLDER.value,
    ApplicantRole.VOLUNTARY_AGENT.value,
    ApplicantRole.LEGAL_REPRESENTATIVE.value,
)
OWN_HOLDER, OWN_APPLICANT = Owner.HOLDER.value, Owner.APPLICANT.value

# Choices for the VARIES points (the same values are the model field choices).
HOLDER_ID_ONE_A_OR_ONE_B = "one_a_or_one_b"
HOLDER_ID_ONE_PUBLIC_DOCUMENT = "one_public_document"
HOLDER_ID_NONE = "none"
REP_ID_TWO_A_OR_A_PLUS_B = "two_a_or_a_plus_b"
REP_ID_ONE_PHOTO_ID = "one_photo_id"
AGENT_LIFT_INQUIRY = "inquiry"
AGENT_LIFT_ID_ONLY = "agent_id_only"
AGENT_LIFT_NOT_ACCEPTED = "not_accepted"


@dataclass(frozen=True)
class PolicyValues:
    """A city's choices at the VARIES points of
    docs/rules/05-identity-documents.md §5–§6 (seed city's default)."""

    #: §5.2 PIN reset, holder in person: what besides the card.
    pin_reset_holder_id: str = HOLDER_ID_ONE_A_OR_ONE_B
    #: §5.2 PIN reset by a legal representative: the representative's own ID.
    pin_reset_representative_id: str = REP_ID_TWO_A_OR_A_PLUS_B
    #: §6.1 proof of legal authority needed at all (one city: not for under-15s).
    proof_of_authority_required: bool = True
    #: §6.1 waived when the relation can be confirmed in the city's records.
    proof_of_authority_waivable: bool = True
    #: §6.1 "often must be issued within the last 3 months"; the seed is silent.
    proof_of_authority_max_age_months: int | None = None
    #: §5.2 / §10 voluntary agent lifting a suspension.
    agent_suspension_lift: str = AGENT_LIFT_INQUIRY
    #: §5.2 Maebashi: the holder's ID too when the inquiry method is used.
    inquiry_requires_holder_id: bool = False
    #: §6.2 an unsealed or opened envelope is refused.
    answer_sheet_must_be_sealed: bool = True
    #: §6.2 power of attorney at the second visit, per procedure.
    power_of_attorney_procedures: tuple[str, ...] = (
        Procedure.CERT_ISSUE.value,
        Procedure.CERT_RENEW.value,
    )
    #: §6.2 proof that the holder cannot come, per procedure (seed: PIN change/reset).
    proof_of_inability_procedures: tuple[str, ...] = (
        Procedure.PIN_CHANGE.value,
        Procedure.PIN_RESET.value,
    )
    #: §5.1 two-tier B lists: two B documents never both privately issued.
    two_b_requires_public: bool = False
    #: §5.2 issuance / revocation: one more A or B when the 住基 PIN is unknown.
    extra_id_when_resident_pin_unknown: bool = True
    #: §6.2 "One-visit renewal": J-LIS's sheet lets an agent renew at visit 1.
    one_visit_renewal: bool = True


SEED_POLICY = PolicyValues()

#: Sayama (docs/rules/05-identity-documents.md §5.2 [M-sayama]): PIN reset with the card
#: only for the holder,
#: one photo ID for a legal representative.
SAYAMA_POLICY = replace(
    SEED_POLICY,
    pin_reset_holder_id=HOLDER_ID_NONE,
    pin_reset_representative_id=REP_ID_ONE_PHOTO_ID,
)


def _slot(classes: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if classes:
        data["classes"] = classes
    data.update(kw)
    data.setdefault("owner", OWN_HOLDER)
    return data


def _rule(
    rule_id: str, *alternatives: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    return {"id": rule_id, "alternatives": list(alternatives), **kw}


CARD_RULE = _rule("card", [_slot(codes=[CARD_CODE])])
#: docs/rules/09-revocation.md §9.2: a lost card cannot be brought.
CARD_UNLESS_LOST = {**CARD_RULE, "waived_if": Fact.CARD_LOST.value}


def _a_or_two_b(rule_id: str, owner: str, policy: PolicyValues) -> dict[str, Any]:
    """「Aの書類1点」又は「Bの書類2点」; the holder's card never counts among them."""
    extra: dict[str, Any] = {"exclude": [CARD_CODE]} if owner == OWN_HOLDER else {}
    two_b = _slot(["B"], owner=owner, count=2, **extra)
    if policy.two_b_requires_public:
        two_b["min_public"] = 1
    return _rule(rule_id, [_slot(["A"], owner=owner, **extra)], [two_b])


def lost_card_id(policy: PolicyValues) -> dict[str, Any]:
    """§9.2: without the card, the holder's one A or two B (only when it is lost)."""
    return {
        **_a_or_two_b("holder_id_card_lost", OWN_HOLDER, policy),
        "only_if": Fact.CARD_LOST.value,
    }


def _photo_id(rule_id: str, owner: str) -> dict[str, Any]:
    """官公署発行の写真付き本人確認書類 = the seed city's class A, photo."""
    return _rule(rule_id, [_slot(["A"], owner=owner, photo=True)])


def _holder_other_id(policy: PolicyValues, choice: str) -> list[dict[str, Any]]:
    """本人のマイナンバーカード以外の「Aの書類1点」または「Bの書類1点」."""
    if choice == HOLDER_ID_NONE:
        return []
    if choice == HOLDER_ID_ONE_PUBLIC_DOCUMENT:
        return [
            _rule(
                "holder_other_id",
                [_slot(["A", "B"], exclude=[CARD_CODE], min_public=1)],
            )
        ]
    return [
        _rule(
            "holder_other_id",
            [_slot(["A"], exclude=[CARD_CODE])],
            [_slot(["B"], exclude=[CARD_CODE])],
        )
    ]


def _authority(
    policy: PolicyValues, max_age: int | None = None
) -> list[dict[str, Any]]:
    """戸籍謄本等 (proof of authority), waived when confirmable in the city."""
    if not policy.proof_of_authority_required:
        return []
    slot = _slot(["proof_of_authority"], owner=OWN_APPLICANT)
    age = policy.proof_of_authority_max_age_months or max_age
    if age:
        slot["max_age_months"] = age
    rule = _rule("proof_of_authority", [slot])
    if policy.proof_of_authority_waivable:
        rule["waived_if"] = Fact.AUTHORITY_CONFIRMED_IN_RECORDS.value
    return [rule]


def _representative_reset_id(policy: PolicyValues) -> dict[str, Any]:
    if policy.pin_reset_representative_id == REP_ID_ONE_PHOTO_ID:
        return _photo_id("representative_id", OWN_APPLICANT)
    return _rule(
        "representative_id",
        [_slot(["A"], owner=OWN_APPLICANT, count=2)],
        [_slot(["A"], owner=OWN_APPLICANT), _slot(["B"], owner=OWN_APPLICANT)],
    )


def _answer_sheet(policy: PolicyValues) -> dict[str, Any]:
    slot = _slot(["answer_sheet"])
    if policy.answer_sheet_must_be_sealed:
        slot["sealed"] = True
    return _rule("answer_sheet", [slot])


def _jlis_answer_sheet(policy: PolicyValues) -> dict[str, Any]:
    """§6.2 one-visit renewal: the sealed J-LIS sheet, when the agent brings it.

    Switched on by the fact, so the ordinary two-visit path needs nothing more; a
    city without one-visit renewal refuses the claim instead of ignoring it.
    """
    only_if = Fact.JLIS_ANSWER_SHEET.value
    if not policy.one_visit_renewal:
        return _rule("jlis_answer_sheet", not_permitted=True, only_if=only_if)
    slot = _slot(codes=[JLIS_ANSWER_SHEET_CODE])
    if policy.answer_sheet_must_be_sealed:
        slot["sealed"] = True
    return _rule("jlis_answer_sheet", [slot], only_if=only_if)


def _resident_pin_extra(policy: PolicyValues) -> list[dict[str, Any]]:
    if not policy.extra_id_when_resident_pin_unknown:
        return []
    return [
        _rule(
            "extra_id_resident_pin_unknown",
            [_slot(["A"], exclude=[CARD_CODE])],
            [_slot(["B"], exclude=[CARD_CODE])],
            only_if=Fact.RESIDENT_PIN_UNKNOWN.value,
        )
    ]


def _inquiry_second_visit(
    procedure: str, policy: PolicyValues, agent_id: dict[str, Any]
) -> list[dict[str, Any]]:
    """Second visit of the inquiry method (照会書方式, docs/rules/06-agents.md §6.2)."""
    rules = [_answer_sheet(policy)]
    if procedure in policy.power_of_attorney_procedures:
        rules.append(_rule("power_of_attorney", [_slot(["power_of_attorney"])]))
    rules += [CARD_RULE, agent_id]
    if procedure in policy.proof_of_inability_procedures:
        rules.append(_rule("proof_of_inability", [_slot(["proof_of_inability"])]))
    if policy.inquiry_requires_holder_id:
        rules.append(_a_or_two_b("holder_id", OWN_HOLDER, policy))
    return rules


Key = tuple[str, str, int]
Entry = tuple[list[dict[str, Any]], str]


def default_rules(policy: PolicyValues = SEED_POLICY) -> dict[Key, Entry]:
    """Every (procedure, role, visit) with its rules JSON and a source note."""
    out: dict[Key, Entry] = {}
    agent_id = _a_or_two_b("agent_id", OWN_APPLICANT, policy)
    rep_id = _a_or_two_b("representative_id", OWN_APPLICANT, policy)

    # PIN change (seed: Atsugi 暗証番号の変更; docs/rules/seed.md "Seed table").
    pc = Procedure.PIN_CHANGE.value
    out[(pc, HOLDER, 1)] = (
        [CARD_RULE],
        "Seed (Atsugi) PIN change 1: 本人のマイナンバーカード.",
    )
    out[(pc, REP, 1)] = (
        [CARD_RULE, *_authority(policy), rep_id],
        (
            "Seed (Atsugi) PIN change "
            "2: the card + 戸籍謄本等 (waived when confirmable "
            "in the city) + the representative's A×1 or B×2."
        ),
    )
    out[(pc, AGENT_ROLE, 1)] = (
        [CARD_RULE, agent_id],
        (
            "Seed (Atsugi) PIN change 3: "
            "the card + the agent's A×1 or B×2; without them "
            "the person cannot be an agent. Inquiry letter mailed to the holder."
        ),
    )
    out[(pc, AGENT_ROLE, 2)] = (
        _inquiry_second_visit(pc, policy, agent_id),
        (
            "Seed (Atsugi) PIN change 3, return visit: 照会書 + the documents again + "
            "proof the holder cannot come (work or school refused); sealing per §6.2."
        ),
    )

    # PIN reset (seed: Atsugi 暗証番号の再設定; docs/rules/05-identity-documents.md §5.2
    # VARIES).
    pr = Procedure.PIN_RESET.value
    out[(pr, HOLDER, 1)] = (
        [CARD_RULE, *_holder_other_id(policy, policy.pin_reset_holder_id)],
        "Seed (Atsugi) PIN reset 1: the card + one A or one B other than the card.",
    )
    out[(pr, REP, 1)] = (
        [
            CARD_RULE,
            *_holder_other_id(policy, policy.pin_reset_holder_id),
            *_authority(policy),
            _representative_reset_id(policy),
        ],
        (
            "Seed (Atsugi) PIN reset 2: "
            "the card + the holder's A×1 or B×1 other than the "
            "card + 戸籍謄本等 (waiver) + the representative's A×2 or A×1+B×1."
        ),
    )
    out[(pr, AGENT_ROLE, 1)] = (
        [CARD_RULE, agent_id],
        "Seed (Atsugi) PIN reset 3: the card + the agent's A×1 or B×2.",
    )
    out[(pr, AGENT_ROLE, 2)] = (
        _inquiry_second_visit(pr, policy, agent_id),
        (
            "Seed (Atsugi) PIN reset 3, return visit: 照会書 + the documents again + "
            "proof the holder cannot come (work or school refused)."
        ),
    )

    # Certificate issuance and renewal (seed certificate page;
    # docs/rules/05-identity-documents.md §5.2).
    for proc in (Procedure.CERT_ISSUE.value, Procedure.CERT_RENEW.value):
        out[(proc, HOLDER, 1)] = (
            [CARD_RULE, *_resident_pin_extra(policy)],
            (
                "Seed: マイナンバーカードをお持ちの方は、他の本人確認書類は不要; "
                "§5.2: one more A or B if the 住基 PIN is unknown."
            ),
        )
        out[(proc, REP, 1)] = (
            [
                CARD_RULE,
                _photo_id("representative_id", OWN_APPLICANT),
                *_authority(policy),
            ],
            (
                "Seed: under 15 / adult ward "
                "— ask in advance; §5.2: card + the "
                "representative's photo ID + proof of authority."
            ),
        )
        out[(proc, AGENT_ROLE, 1)] = (
            [CARD_RULE, _photo_id("agent_id", OWN_APPLICANT)],
            (
                "Seed 代理人申請 [1回目]: "
                "申請者本人のマイナンバーカード + 代理人の官公署"
                "発行の写真付き本人確認書類."
            ),
        )
        out[(proc, AGENT_ROLE, 2)] = (
            _inquiry_second_visit(proc, policy, _photo_id("agent_id", OWN_APPLICANT)),
            (
                "Seed 代理人申請 [2回目]: "
                "回答書 + 委任状 + 申請者本人のマイナンバーカード + "
                "代理人の写真付き本人確認書類."
            ),
        )

    # §6.2 one-visit renewal: J-LIS's sheet, stated as a fact at visit 1.
    cr = Procedure.CERT_RENEW.value
    rules, note = out[(cr, AGENT_ROLE, 1)]
    out[(cr, AGENT_ROLE, 1)] = (
        [*rules, _jlis_answer_sheet(policy)],
        note
        + (
            " §6.2 one-visit renewal: with J-LIS's sealed 照会書兼回答書 "
            "(expiry notice) the agent renews at this visit."
            if policy.one_visit_renewal
            else " One-visit renewal not offered (§6.2): inquiry method only."
        ),
    )

    # Revocation (seed: 失効 — bring the card;
    # docs/rules/05-identity-documents.md §5.2, §6.1, §9). A notification of a lost
    # card (失効届出) is made without it: the card rule is waived and the holder's
    # one A or two B take its place (docs/rules/09-revocation.md §9.2).
    rv = Procedure.CERT_REVOKE.value
    out[(rv, HOLDER, 1)] = (
        [CARD_UNLESS_LOST, *_resident_pin_extra(policy), lost_card_id(policy)],
        (
            "Seed: マイナンバーカードを持参; "
            "§5.2 [M-kure]: one A/B if the 住基 PIN "
            "is unknown; §9.2: a lost card's notification with A×1 or B×2 instead."
        ),
    )
    out[(rv, REP, 1)] = (
        [CARD_UNLESS_LOST, *_authority(policy), rep_id],
        (
            "§6.1 [M-atsugi-revoke]: the representative accompanies the ward; "
            "documents as for a PIN change by a representative (chosen default); "
            "§9.2: no card for a lost card's notification."
        ),
    )
    out[(rv, AGENT_ROLE, 1)] = (
        [CARD_UNLESS_LOST, agent_id],
        "§9 [M-kure]: inquiry method, two visits; first visit as PIN change; "
        "§9.2: no card for a lost card's notification.",
    )
    second = _inquiry_second_visit(rv, policy, agent_id)
    out[(rv, AGENT_ROLE, 2)] = (
        [CARD_UNLESS_LOST if r is CARD_RULE else r for r in second],
        "§9 [M-kure]: second visit with the sealed answer; §9.2: no card for a "
        "lost card's notification.",
    )

    # Lifting a suspension (docs/rules/05-identity-documents.md §5.2, §10; VARIES for
    # agents).
    sl = Procedure.SUSPENSION_LIFT.value
    out[(sl, HOLDER, 1)] = (
        [CARD_RULE],
        "§5.2 / §10 [M-chikuhoku-lost]: the found card and its PIN.",
    )
    out[(sl, REP, 1)] = (
        [CARD_RULE, *_authority(policy, max_age=3), rep_id],
        (
            "§5.2 [M-chikuhoku-lost]: the representative's ID + proof "
            "(guardian: registry certificate at most 3 months old)."
        ),
    )
    if policy.agent_suspension_lift == AGENT_LIFT_NOT_ACCEPTED:
        out[(sl, AGENT_ROLE, 1)] = (
            [{"id": "agent_not_permitted", "alternatives": [], "not_permitted": True}],
            "§5.2 VARIES [M-omura]: agents not accepted; the holder must come.",
        )
    elif policy.agent_suspension_lift == AGENT_LIFT_ID_ONLY:
        out[(sl, AGENT_ROLE, 1)] = (
            [CARD_RULE, agent_id],
            "§5.2 VARIES [M-fujinomiya-lost]: the agent's ID only, one visit.",
        )
    else:
        out[(sl, AGENT_ROLE, 1)] = (
            [CARD_RULE, agent_id],
            "§5.2 VARIES [M-chikuhoku-lost]: inquiry method, first visit.",
        )
        out[(sl, AGENT_ROLE, 2)] = (
            _inquiry_second_visit(sl, policy, agent_id),
            "§5.2 VARIES [M-chikuhoku-lost]: sealed answer sheet.",
        )
    return out


def default_requirement(
    procedure: str, role: str, visit: int, policy: PolicyValues = SEED_POLICY
) -> dict[str, Any] | None:
    """The requirement JSON for one combination; ``None``: no such visit."""
    entry = default_rules(policy).get((procedure, role, visit))
    if entry is None:
        return None
    return {"applicant_role": role, "rules": entry[0]}
