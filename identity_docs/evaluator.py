"""The one evaluator: do the documents shown satisfy a requirement?

Called by the API (``POST /api/v1/requirements/evaluate/``), the checklist screen and
the procedures that must refuse to go ahead without the right documents. Pure: no
database, no clock — the caller passes the catalogue, the date and the facts.

How it decides (docs/rules/05-identity-documents.md §5, §6):

1. Each document is checked on its own: known kind, accepted by the city, an
   original (a copy never counts), not issued after the visit, not expired, of a
   kind that has not ended nationally (健康保険証, 住基カード: §5.3), issued
   on or after the kind's cut-off (運転経歴証明書: 2012-04-01), not older than the
   kind's maximum age. A document failing any check is rejected with a stable reason.
2. The remaining documents are assigned to the slots of the rules by a backtracking
   search, so no document fills two slots and the answer does not depend on the
   order the documents were listed in (they are put in a canonical order first, and
   identical documents are tried once).
3. If not every rule can hold at once, the largest set of rules that can hold is
   reported as met (earlier rules first on ties); each other rule is reported in
   ``missing`` with a sentence the clerk can read aloud, and the documents that
   count towards it are still shown as used.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from identity_docs.catalogue_changes import national_end_problem
from identity_docs.constants import ApplicantRole, Owner
from identity_docs.messages import missing_message, rejection_message
from identity_docs.rules import Requirement, Rule, Slot, parse_requirement


@dataclass(frozen=True)
class DocumentKind:
    """One catalogue entry as the evaluator sees it (see ``catalogue_data``)."""

    code: str
    name_ja: str
    name_en: str
    document_class: str
    photo: bool = False
    public_issuer: bool = True
    issued_on_or_after: date | None = None
    has_expiry: bool = False
    expiry_required: bool = False
    max_age_months: int | None = None
    accepted: bool = True
    active: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocumentKind:
        cutoff = data.get("issued_on_or_after")
        if isinstance(cutoff, str):
            cutoff = date.fromisoformat(cutoff)
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["issued_on_or_after"] = cutoff
        return cls(**fields)


Catalogue = Mapping[str, DocumentKind]


@dataclass(frozen=True)
class PresentedDocument:
    """A document shown at the counter, as the clerk records it."""

    code: str
    owner: str = Owner.HOLDER.value
    original: bool = True
    issued_on: date | None = None
    expires_on: date | None = None
    sealed: bool | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.code,
            self.owner,
            not self.original,
            self.issued_on or date.min,
            self.expires_on or date.max,
            {True: 0, None: 1, False: 2}[self.sealed],
        )


@dataclass(frozen=True)
class Missing:
    rule: str
    message_ja: str
    message_en: str


@dataclass(frozen=True)
class Rejected:
    code: str
    reason: str
    message_ja: str
    message_en: str


@dataclass
class Evaluation:
    satisfied: bool
    missing: list[Missing] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    waived: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    #: Per document, in the order given: ``(counted, reason)``; reason "" if counted.
    decisions: list[tuple[bool, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "satisfied": self.satisfied,
            "missing": [m.__dict__ for m in self.missing],
            "used": list(self.used),
            "rejected": [r.__dict__ for r in self.rejected],
            "waived": list(self.waived),
            "met": list(self.met),
        }


def add_months(day: date, months: int) -> date:
    """``months`` later, clamped to the month's end (31 Jan + 1 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _document_problem(
    doc: PresentedDocument, kind: DocumentKind | None, on_date: date
) -> str | None:
    """Why a document never counts, whatever the slot; ``None`` if it may count."""
    if kind is None:
        return "unknown-document"
    if not kind.active:
        return "not-accepted-here"
    if not kind.accepted:
        return "reason-not-accepted"
    if not doc.original:
        return "copy-not-accepted"
    if doc.issued_on is not None and doc.issued_on > on_date:
        return "issued-in-future"
    if doc.expires_on is not None and doc.expires_on < on_date:
        return "expired"
    ended = national_end_problem(kind.code, on_date)
    if ended is not None:
        return ended
    if kind.expiry_required and doc.expires_on is None:
        return "expiry-date-missing"
    if kind.issued_on_or_after is not None or kind.max_age_months is not None:
        if doc.issued_on is None:
            return "issue-date-missing"
        if (
            kind.issued_on_or_after is not None
            and doc.issued_on < kind.issued_on_or_after
        ):
            return "issued-before-cutoff"
        if (
            kind.max_age_months is not None
            and add_months(doc.issued_on, kind.max_age_months) < on_date
        ):
            return "too-old"
    return None


#: Slot checks in order; an unused document is reported with the reason of the
#: check it failed in the slot it came closest to filling.
_SLOT_CHECK_ORDER = (
    "not-accepted-for-procedure",
    "card-not-other-document",
    "photo-required",
    "wrong-owner",
    "envelope-not-sealed",
    "issue-date-missing",
    "too-old",
)


def _slot_problem(
    slot: Slot, doc: PresentedDocument, kind: DocumentKind, on_date: date
) -> str | None:
    """Why this (individually valid) document cannot fill this slot."""
    if not slot.accepts_kind(kind.code, kind.document_class):
        if kind.code in slot.exclude and (
            kind.code in slot.codes or kind.document_class in slot.classes
        ):
            return "card-not-other-document"
        return "not-accepted-for-procedure"
    if slot.photo and not kind.photo:
        return "photo-required"
    if doc.owner != slot.owner:
        return "wrong-owner"
    if slot.sealed and doc.sealed is not True:
        return "envelope-not-sealed"
    if slot.max_age_months is not None:
        if doc.issued_on is None:
            return "issue-date-missing"
        if add_months(doc.issued_on, slot.max_age_months) < on_date:
            return "too-old"
    return None


@dataclass(frozen=True)
class _Candidate:
    index: int
    doc: PresentedDocument
    kind: DocumentKind


class _Search:
    """Backtracking assignment of candidate documents to the slots of some rules."""

    def __init__(self, candidates: list[_Candidate], on_date: date) -> None:
        self.candidates = candidates
        self.on_date = on_date
        self._fits: dict[tuple[int, int], bool] = {}

    def fits(self, slot: Slot, candidate: _Candidate) -> bool:
        key = (id(slot), candidate.index)
        if key not in self._fits:
            problem = _slot_problem(slot, candidate.doc, candidate.kind, self.on_date)
            self._fits[key] = problem is None
        return self._fits[key]

    def _slot_choices(
        self, slot: Slot, used: frozenset[int]
    ) -> Iterable[tuple[_Candidate, ...]]:
        """Ways to fill ``slot``; identical documents are tried once."""
        groups: dict[tuple[Any, ...], list[_Candidate]] = {}
        for candidate in self.candidates:
            if candidate.index not in used and self.fits(slot, candidate):
                groups.setdefault(candidate.doc.sort_key(), []).append(candidate)
        keys = sorted(groups)
        for combo in itertools.combinations_with_replacement(
            range(len(keys)), slot.count
        ):
            counts = {k: combo.count(k) for k in set(combo)}
            if any(len(groups[keys[k]]) < n for k, n in counts.items()):
                continue
            chosen = tuple(
                candidate
                for k in sorted(counts)
                for candidate in groups[keys[k]][: counts[k]]
            )
            if sum(c.kind.public_issuer for c in chosen) < slot.min_public:
                continue
            yield chosen

    def _fill(
        self, slots: Sequence[Slot], used: frozenset[int]
    ) -> Iterable[tuple[frozenset[int], list[list[_Candidate]]]]:
        if not slots:
            yield used, []
            return
        for chosen in self._slot_choices(slots[0], used):
            now_used = used | {c.index for c in chosen}
            for final_used, rest in self._fill(slots[1:], now_used):
                yield final_used, [list(chosen), *rest]

    def solve(
        self, rules: Sequence[Rule], used: frozenset[int] = frozenset()
    ) -> list[list[_Candidate]] | None:
        """One assignment satisfying every rule in ``rules``, or ``None``."""
        if not rules:
            return []
        rule = rules[0]
        if rule.not_permitted:
            return None
        for alternative in rule.alternatives:
            for now_used, filled in self._fill(alternative, used):
                rest = self.solve(rules[1:], now_used)
                if rest is not None:
                    return [[c for slot in filled for c in slot], *rest]
        return None

    def partial(self, rule: Rule, used: frozenset[int]) -> list[_Candidate]:
        """Documents counting towards an unmet rule (best alternative, greedy)."""
        best: list[_Candidate] = []
        for alternative in rule.alternatives:
            taken: list[_Candidate] = []
            taken_ids = set(used)
            for slot in alternative:
                fitting = [
                    c
                    for c in self.candidates
                    if c.index not in taken_ids and self.fits(slot, c)
                ][: slot.count]
                taken.extend(fitting)
                taken_ids.update(c.index for c in fitting)
            if len(taken) > len(best):
                best = taken
        return best


def _rejected(code: str, reason: str) -> Rejected:
    ja, en = rejection_message(reason)
    return Rejected(code=code, reason=reason, message_ja=ja, message_en=en)


def _unused_reason(
    candidate: _Candidate,
    unmet: Sequence[Rule],
    met: Sequence[Rule],
    on_date: date,
) -> str:
    """Why a valid document ended up unused, as useful to the clerk as possible.

    First against the rules still unmet (is it the wrong person's, an unsealed
    envelope, the card offered as the "other" document?), then: surplus for a rule
    already met ("not-needed"), or not a document this procedure asks for.
    """

    def closest(rules: Sequence[Rule]) -> str | None:
        best: str | None = None
        for rule in rules:
            for slot in rule.slots():
                problem = _slot_problem(slot, candidate.doc, candidate.kind, on_date)
                if problem is None:
                    return "combination-not-allowed"
                if best is None or _SLOT_CHECK_ORDER.index(
                    problem
                ) > _SLOT_CHECK_ORDER.index(best):
                    best = problem
        return best

    for_unmet = closest(unmet)
    if for_unmet is not None and for_unmet != "not-accepted-for-procedure":
        return for_unmet
    for_met = closest(met)
    if for_met == "combination-not-allowed":
        return "not-needed"
    return for_met or for_unmet or "not-accepted-for-procedure"


def _normalise(
    documents: Iterable[PresentedDocument | Mapping[str, Any]], role: str
) -> list[tuple[int, PresentedDocument]]:
    docs = [
        d if isinstance(d, PresentedDocument) else PresentedDocument(**dict(d))
        for d in documents
    ]
    if role == ApplicantRole.HOLDER:
        # The holder at the counter is both "holder" and "applicant".
        docs = [
            PresentedDocument(
                code=d.code,
                owner=Owner.HOLDER.value,
                original=d.original,
                issued_on=d.issued_on,
                expires_on=d.expires_on,
                sealed=d.sealed,
            )
            for d in docs
        ]
    return sorted(enumerate(docs), key=lambda pair: pair[1].sort_key())


def evaluate(
    *,
    requirement: Requirement | Mapping[str, Any],
    documents: Iterable[PresentedDocument | Mapping[str, Any]],
    on_date: date,
    catalogue: Catalogue,
    facts: Mapping[str, bool] | None = None,
) -> Evaluation:
    """Decide whether ``documents`` satisfy ``requirement`` on ``on_date``."""
    if not isinstance(requirement, Requirement):
        requirement = parse_requirement(requirement)
    facts = facts or {}
    role = requirement.applicant_role
    docs = _normalise(documents, role)
    given_order = [given for given, _ in docs]
    decisions: list[tuple[bool, str]] = [(True, "")] * len(docs)

    rejected: list[Rejected] = []
    candidates: list[_Candidate] = []
    for index, (given, doc) in enumerate(docs):
        kind = catalogue.get(doc.code)
        problem = _document_problem(doc, kind, on_date)
        if problem is not None or kind is None:
            rejected.append(_rejected(doc.code, problem or "unknown-document"))
            decisions[given] = (False, problem or "unknown-document")
        else:
            candidates.append(_Candidate(index=index, doc=doc, kind=kind))

    waived = [r.id for r in requirement.rules if r.waived_if and facts.get(r.waived_if)]
    active = [
        r
        for r in requirement.rules
        if r.id not in waived and (not r.only_if or facts.get(r.only_if))
    ]

    search = _Search(candidates, on_date)
    # A rule that cannot hold on its own cannot hold with others: leave it out of
    # the joint search (keeps the search small when many documents are shown).
    possible = [r for r in active if search.solve([r]) is not None]
    met_rules: list[Rule] = []
    assignment: list[list[_Candidate]] = []
    for size in range(len(possible), -1, -1):
        found = None
        for subset in itertools.combinations(possible, size):
            found = search.solve(subset)
            if found is not None:
                met_rules, assignment = list(subset), found
                break
        if found is not None:
            break

    used_ids = {c.index for group in assignment for c in group}
    used = [c.doc.code for group in assignment for c in group]
    missing: list[Missing] = []
    for rule in active:
        if rule in met_rules:
            continue
        towards = search.partial(rule, frozenset(used_ids))
        used_ids.update(c.index for c in towards)
        used.extend(c.doc.code for c in towards)
        ja, en = missing_message(rule, role)
        missing.append(Missing(rule=rule.id, message_ja=ja, message_en=en))

    for candidate in candidates:
        if candidate.index not in used_ids:
            unmet = [r for r in active if r not in met_rules]
            reason = _unused_reason(candidate, unmet, met_rules, on_date)
            rejected.append(_rejected(candidate.doc.code, reason))
            decisions[given_order[candidate.index]] = (False, reason)

    return Evaluation(
        satisfied=not missing,
        missing=missing,
        used=used,
        rejected=sorted(rejected, key=lambda r: (r.code, r.reason)),
        waived=waived,
        met=[r.id for r in active if r in met_rules],
        decisions=decisions,
    )
