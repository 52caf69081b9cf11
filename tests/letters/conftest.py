"""Letter test helpers: a sample letter built the way the service builds one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from counter.constants import Procedure
from counter.letters.address import PostalAddress
from counter.letters.content import SEED_OFFICE, LetterData


def make_letter(**overrides: Any) -> LetterData:
    address_fields = {
        "postal_code": overrides.pop("postal_code", "243-0018"),
        "town_area": overrides.pop("town_area", "神奈川県厚木市中町"),
        "block": overrides.pop("block", "3丁目17-8 郵便ビル403号"),
        "name": overrides.pop("name", "見本 花子"),
    }
    values: dict[str, Any] = {
        "reference_code": "2611-2600-0017",
        "procedure": Procedure.PIN_CHANGE,
        "address": PostalAddress.build(**address_fields),
        "agent_name": "代理 太郎",
        "first_visit": dt.date(2026, 11, 26),
        "deadline": dt.date(2026, 12, 10),
        "issued_on": dt.date(2026, 11, 26),
        "office": SEED_OFFICE,
    }
    values.update(overrides)
    return LetterData(**values)


@pytest.fixture
def letter() -> Callable[..., LetterData]:
    return make_letter


# ------------------------------- database layer (city, office, supervisor: shared)


@pytest.fixture
def make_case(city: Any, office: Any) -> Callable[..., Any]:
    """A voluntary agent's case for a resident (state set directly for the test)."""
    from counter.models import Case, Resident

    counter = {"n": 0}

    def make(
        *,
        procedure: str = Procedure.PIN_CHANGE,
        state: str = "documents_checked",
        name: str = "見本 花子",
        postal_code: str = "243-0018",
        address: str = "神奈川県厚木市中町3丁目17-8 郵便ビル403号",
        agent: str = "代理 太郎",
    ) -> Any:
        counter["n"] += 1
        n = counter["n"]
        resident = Resident.objects.create(
            municipality=city,
            register_id=f"R{n:06d}",
            name=name,
            name_kana="ミホン ハナコ",
            postal_code=postal_code,
            address=address,
            birth_date=dt.date(1940, 4, 1),
            gender="female",
        )
        return Case.objects.create(
            municipality=city,
            office=office,
            resident=resident,
            reference=f"C-TEST-{n:05d}",
            procedure=procedure,
            applicant_role="voluntary_agent",
            applicant_name=agent,
            state=state,
        )

    return make
