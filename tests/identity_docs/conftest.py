"""Shared helpers for the identity-document tests: the catalogue and a short way to
write the documents a resident shows ("passport@applicant", "copy:passport@holder")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from identity_docs.catalogue_data import CATALOGUE
from identity_docs.defaults import SEED_POLICY, PolicyValues, default_requirement
from identity_docs.evaluator import (
    DocumentKind,
    Evaluation,
    PresentedDocument,
    evaluate,
)

#: The visit date used by the rule tables.
VISIT_DAY = date(2026, 11, 26)


def seed_catalogue() -> dict[str, DocumentKind]:
    return {d["code"]: DocumentKind.from_dict(d) for d in CATALOGUE}


def doc(spec: str, **kw: Any) -> PresentedDocument:
    """``"code@owner"``; prefix ``copy:`` for a photocopy, ``open:`` for an unsealed
    answer sheet (answer sheets are sealed unless said otherwise)."""
    original, sealed = True, None
    if spec.startswith("copy:"):
        original, spec = False, spec[5:]
    if spec.startswith("open:"):
        sealed, spec = False, spec[5:]
    code, _, owner = spec.partition("@")
    if code in ("inquiry_answer_sheet", "inquiry_and_answer_sheet") and sealed is None:
        sealed = True
    return PresentedDocument(
        code=code, owner=owner or "holder", original=original, sealed=sealed, **kw
    )


def check(
    procedure: str,
    role: str,
    visit: int,
    documents: list[PresentedDocument | str],
    *,
    facts: Mapping[str, bool] | None = None,
    policy: PolicyValues = SEED_POLICY,
    on_date: date = VISIT_DAY,
    catalogue: Mapping[str, DocumentKind] | None = None,
) -> Evaluation:
    requirement = default_requirement(procedure, role, visit, policy)
    assert requirement is not None, (procedure, role, visit)
    return evaluate(
        requirement=requirement,
        documents=[doc(d) if isinstance(d, str) else d for d in documents],
        on_date=on_date,
        catalogue=catalogue or seed_catalogue(),
        facts=facts,
    )


def expect(
    result: Evaluation,
    satisfied: bool,
    missing: list[str],
    rejected: list[tuple[str, str]],
) -> None:
    """The answer, the rules still missing and the refusals (code, reason), exactly."""
    assert result.satisfied is satisfied
    assert [m.rule for m in result.missing] == missing
    assert [(r.code, r.reason) for r in result.rejected] == rejected


class Helpers:
    """What the tests use, handed out as the ``idocs`` fixture."""

    VISIT_DAY = VISIT_DAY
    check = staticmethod(check)
    expect = staticmethod(expect)
    doc = staticmethod(doc)
    seed_catalogue = staticmethod(seed_catalogue)


@pytest.fixture
def idocs() -> type[Helpers]:
    return Helpers


# --- database fixtures (the shared city and staff: tests/fixtures/counter.py) ---


@pytest.fixture
def other_city(db: Any) -> Any:
    from counter.services.municipalities import municipality_create

    return municipality_create(
        code="112151",
        name="狭山市",
        main_office={"code": "honcho", "name": "狭山市 本庁", "phone": "04-0"},
    )


@pytest.fixture
def make_case(city: Any) -> Any:
    from datetime import date

    from counter.models import Case, Resident

    def make(
        procedure: str = "pin_reset", role: str = "holder", ref: str = "C-1"
    ) -> Any:
        resident, _ = Resident.objects.get_or_create(
            municipality=city,
            register_id="R-1",
            defaults={
                "name": "厚木 花子",
                "name_kana": "アツギ ハナコ",
                "address": "厚木市中町3-17-17",
                "birth_date": date(1980, 5, 1),
                "gender": "female",
            },
        )
        return Case.objects.create(
            municipality=city,
            office=city.offices.get(code="honcho"),
            resident=resident,
            reference=ref,
            procedure=procedure,
            applicant_role=role,
        )

    return make
