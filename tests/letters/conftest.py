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
