from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from counter.models import Municipality, Office, StaffProfile
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
def city(make_municipality: Callable[..., Municipality]) -> Municipality:
    return make_municipality()


@pytest.fixture
def main_office(city: Municipality) -> Office:
    return city.offices.get(code="honcho")


@pytest.fixture
def branch_office(city: Municipality) -> Office:
    return Office.objects.create(
        municipality=city, code="kita", name="北部支所", kind="branch"
    )


@pytest.fixture
def make_staff(db: Any) -> Callable[..., User]:
    def make(
        username: str, role: str, municipality: Municipality, office: Office | None
    ) -> User:
        user = User.objects.create_user(username, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.create(user=user, municipality=municipality, office=office)
        return User.objects.get(pk=user.pk)  # fresh permission cache

    return make
