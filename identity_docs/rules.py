"""The requirement language: which documents a procedure needs, as plain JSON data.

A *requirement* is a list of *rules*; every rule must hold. A rule is a list of
*alternatives*; one of them must hold. An alternative is a list of *slots*; every
slot must be filled by its own documents (no document fills two slots). JSON::

    {"applicant_role": "legal_representative",
     "rules": [
       {"id": "card", "alternatives": [[{"codes": ["my_number_card"]}]]},
       {"id": "holder_other_id", "alternatives": [
          [{"classes": ["A"], "exclude": ["my_number_card"]}],
          [{"classes": ["B"], "exclude": ["my_number_card"]}]]},
       {"id": "authority", "waived_if": "authority_confirmed_in_records",
        "alternatives": [[{"classes": ["proof_of_authority"],
                           "owner": "applicant"}]]},
       {"id": "applicant_id", "alternatives": [
          [{"classes": ["A"], "owner": "applicant", "count": 2}],
          [{"classes": ["A"], "owner": "applicant"},
           {"classes": ["B"], "owner": "applicant"}]]}]}

Slot keys: ``classes`` (document classes accepted), ``codes`` (catalogue codes
accepted, instead of or besides classes), ``exclude`` (codes never accepted here,
e.g. the card where the rule says "other than the card"), ``owner`` (``holder`` or
``applicant``; default ``holder``), ``count`` (1–5), ``photo`` (photo required),
``sealed`` (an answer sheet counts only if its envelope arrived sealed),
``max_age_months`` (issued at most that many months before the visit),
``min_public`` (of the ``count`` documents, at least this many issued by a public
body — the two-tier B lists of docs/rules/05-identity-documents.md §5.1).

Rule keys: ``id`` (stable, reported in ``missing``), ``alternatives``,
``waived_if`` / ``only_if`` (a :class:`~identity_docs.constants.Fact` that waives
the rule or switches it on) and ``not_permitted`` (the applicant cannot do this
procedure at all; such a rule is never satisfied).

Parsing is pure (no database), so the evaluator and its tests run without Django's
ORM; the models validate stored JSON with the same parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from identity_docs.constants import ApplicantRole, DocumentClass, Fact, Owner

MAX_COUNT = 5
MAX_AGE_MONTHS = 120

_SLOT_KEYS = {
    "classes",
    "codes",
    "exclude",
    "owner",
    "count",
    "photo",
    "sealed",
    "max_age_months",
    "min_public",
}
_RULE_KEYS = {"id", "alternatives", "waived_if", "only_if", "not_permitted"}


class RequirementError(ValueError):
    """Stored or submitted requirement JSON that does not follow the language."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Slot:
    classes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    owner: str = Owner.HOLDER.value
    count: int = 1
    photo: bool = False
    sealed: bool = False
    max_age_months: int | None = None
    min_public: int = 0

    def accepts_kind(self, code: str, document_class: str) -> bool:
        """Whether a document of this kind may fill the slot at all."""
        if code in self.exclude:
            return False
        return code in self.codes or document_class in self.classes


@dataclass(frozen=True)
class Rule:
    id: str
    alternatives: tuple[tuple[Slot, ...], ...] = ()
    waived_if: str | None = None
    only_if: str | None = None
    not_permitted: bool = False

    def slots(self) -> list[Slot]:
        return [slot for alternative in self.alternatives for slot in alternative]


@dataclass(frozen=True)
class Requirement:
    applicant_role: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def codes(self) -> set[str]:
        """Every catalogue code named, to check against the catalogue."""
        names: set[str] = set()
        for rule in self.rules:
            for slot in rule.slots():
                names.update(slot.codes)
                names.update(slot.exclude)
        return names


def _str_list(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RequirementError(path, "must be a list of non-empty strings")
    return tuple(value)


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise RequirementError(path, "must be true or false")
    return value


def _int(value: Any, path: str, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise RequirementError(path, f"must be a whole number from {low} to {high}")
    return value


def parse_slot(data: Any, path: str) -> Slot:
    if not isinstance(data, Mapping):
        raise RequirementError(path, "a slot must be an object")
    unknown = set(data) - _SLOT_KEYS
    if unknown:
        raise RequirementError(path, f"unknown keys {sorted(unknown)}")
    classes = _str_list(data.get("classes", []), f"{path}.classes")
    bad = [c for c in classes if c not in DocumentClass.values]
    if bad:
        raise RequirementError(f"{path}.classes", f"unknown document classes {bad}")
    codes = _str_list(data.get("codes", []), f"{path}.codes")
    if not classes and not codes:
        raise RequirementError(path, "a slot needs classes or codes")
    owner = data.get("owner", Owner.HOLDER.value)
    if owner not in Owner.values:
        raise RequirementError(f"{path}.owner", f"must be one of {Owner.values}")
    count = _int(data.get("count", 1), f"{path}.count", 1, MAX_COUNT)
    max_age = data.get("max_age_months")
    return Slot(
        classes=classes,
        codes=codes,
        exclude=_str_list(data.get("exclude", []), f"{path}.exclude"),
        owner=owner,
        count=count,
        photo=_bool(data.get("photo", False), f"{path}.photo"),
        sealed=_bool(data.get("sealed", False), f"{path}.sealed"),
        max_age_months=None
        if max_age is None
        else _int(max_age, f"{path}.max_age_months", 1, MAX_AGE_MONTHS),
        min_public=_int(data.get("min_public", 0), f"{path}.min_public", 0, count),
    )


def parse_rule(data: Any, path: str) -> Rule:
    if not isinstance(data, Mapping):
        raise RequirementError(path, "a rule must be an object")
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise RequirementError(path, f"unknown keys {sorted(unknown)}")
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RequirementError(f"{path}.id", "a rule needs a non-empty id")
    for key in ("waived_if", "only_if"):
        if data.get(key) is not None and data[key] not in Fact.values:
            raise RequirementError(f"{path}.{key}", f"must be one of {Fact.values}")
    not_permitted = _bool(data.get("not_permitted", False), f"{path}.not_permitted")
    raw_alternatives = data.get("alternatives", [])
    if not isinstance(raw_alternatives, list):
        raise RequirementError(f"{path}.alternatives", "must be a list")
    if not raw_alternatives and not not_permitted:
        raise RequirementError(f"{path}.alternatives", "a rule needs an alternative")
    alternatives = []
    for a, raw in enumerate(raw_alternatives):
        a_path = f"{path}.alternatives[{a}]"
        if not isinstance(raw, list) or not raw:
            raise RequirementError(
                a_path, "an alternative is a non-empty list of slots"
            )
        alternatives.append(
            tuple(parse_slot(s, f"{a_path}[{i}]") for i, s in enumerate(raw))
        )
    return Rule(
        id=rule_id,
        alternatives=tuple(alternatives),
        waived_if=data.get("waived_if"),
        only_if=data.get("only_if"),
        not_permitted=not_permitted,
    )


def parse_requirement(data: Any) -> Requirement:
    """Parse requirement JSON; raise :class:`RequirementError` naming the bad path."""
    if not isinstance(data, Mapping):
        raise RequirementError("requirement", "must be an object")
    role = data.get("applicant_role")
    if role not in ApplicantRole.values:
        raise RequirementError(
            "applicant_role", f"must be one of {ApplicantRole.values}"
        )
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise RequirementError("rules", "must be a list")
    rules = tuple(parse_rule(r, f"rules[{i}]") for i, r in enumerate(raw_rules))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RequirementError("rules", "rule ids must be unique")
    return Requirement(applicant_role=role, rules=rules)


def slot_to_json(slot: Slot) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if slot.classes:
        data["classes"] = list(slot.classes)
    if slot.codes:
        data["codes"] = list(slot.codes)
    if slot.exclude:
        data["exclude"] = list(slot.exclude)
    data["owner"] = slot.owner
    if slot.count != 1:
        data["count"] = slot.count
    for key in ("photo", "sealed"):
        if getattr(slot, key):
            data[key] = True
    if slot.max_age_months is not None:
        data["max_age_months"] = slot.max_age_months
    if slot.min_public:
        data["min_public"] = slot.min_public
    return data


def rule_to_json(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rule.id,
        "alternatives": [[slot_to_json(s) for s in alt] for alt in rule.alternatives],
    }
    if rule.waived_if:
        data["waived_if"] = rule.waived_if
    if rule.only_if:
        data["only_if"] = rule.only_if
    if rule.not_permitted:
        data["not_permitted"] = True
    return data


def requirement_to_json(requirement: Requirement) -> dict[str, Any]:
    return {
        "applicant_role": requirement.applicant_role,
        "rules": [rule_to_json(r) for r in requirement.rules],
    }


def rules_from_json(data: Sequence[Any]) -> tuple[Rule, ...]:
    """Parse the ``rules`` list alone (what a stored RequirementRule keeps)."""
    if not isinstance(data, list):
        raise RequirementError("rules", "must be a list")
    return tuple(parse_rule(r, f"rules[{i}]") for i, r in enumerate(data))
