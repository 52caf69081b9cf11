from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from counter.models import Municipality, Office
from counter.services.municipalities import municipality_create


@pytest.fixture
def make_municipality(db: Any) -> Callable[..., Municipality]:
    def make(code: str = "142123", name: str = "厚木市") -> Municipality:
        return municipality_create(
            code=code,
            name=name,
            main_office={"code": "honcho", "name": f"{name} 本庁", "phone": "046-0"},
        )

    return make


@pytest.fixture
def branch_office(city: Municipality) -> Office:
    return Office.objects.create(
        municipality=city, code="kita", name="北部支所", kind="branch"
    )
