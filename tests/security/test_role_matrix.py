"""Roles as a tested matrix (docs/security/roles.md): every URL pattern from the
resolver × every role, against the allowed set written down here.

A new URL without an entry fails the test; a role reaching a URL it should not
(or losing one it should reach) fails it; a refused request adds no row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from counter.scoping import Scope
from jpki_ops.services import card_operation_request

from .matrix_walk import counts, reached, routes, url_for

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "clerk_a",
    "clerk_b",
    "supervisor",
    "auditor",
    "register",
    "desk_agent",
    "other_city",
    "operator",
)

#: The matrix: one line per URL pattern, the roles that reach it (get past login,
#: role and scope) with a GET, or for a write endpoint with an empty POST.
#: docs/security/roles.md explains it; "-" means nobody of these roles.
MATRIX_FILE = Path(__file__).with_name("role_matrix.txt")


def expected() -> dict[str, set[str]]:
    matrix = {}
    for line in MATRIX_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, _sep, roles = line.partition("\t")
        matrix[pattern] = set() if roles.strip() == "-" else set(roles.split(","))
    return matrix


@pytest.fixture
def samples(city, resident, atsugi_case, desk) -> dict[str, Any]:
    operation = card_operation_request(
        desk=desk, kind="read_card", idempotency_key="matrix", case=atsugi_case
    )
    admin_objects = {}
    for model in apps.get_models():
        manager = model._default_manager
        qs = (
            manager.within(Scope(municipality_id=city.pk))
            if hasattr(manager, "within")
            else manager.all()
        )
        row = qs.order_by("pk").first()
        if row is not None:
            admin_objects[f"{model._meta.app_label}/{model._meta.model_name}"] = row.pk
    return {
        "reference": atsugi_case.reference,
        "resident_id": resident.pk,
        "operation_id": operation.pk,
        "pk": operation.pk,
        "kind": "authentication",
        "letter_id": 0,
        "admin_objects": admin_objects,
    }


def test_every_url_answers_each_role_as_the_matrix_says(logins, samples):
    matrix = expected()
    actual: dict[str, set[str]] = {}
    wrote: list[str] = []
    for route in routes():
        url = url_for(route, samples)
        actual[route.pattern] = set()
        for role in ROLES:
            before = counts()
            ok, status = reached(logins[role], url, route.name)
            if ok:
                actual[route.pattern].add(role)
            elif counts() != before:
                wrote.append(f"{role} {url} {status}")
    unlisted = sorted(set(actual) - set(matrix))
    assert not unlisted, f"URLs without a matrix entry: {unlisted}"
    gone = sorted(set(matrix) - set(actual))
    assert not gone, f"matrix entries for URLs that no longer exist: {gone}"
    differ = {
        pattern: {"expected": sorted(matrix[pattern]), "actual": sorted(roles)}
        for pattern, roles in actual.items()
        if roles != matrix[pattern]
    }
    for pattern, sets in sorted(differ.items()):
        print(f"{pattern}\t{','.join(sets['actual']) or '-'}")
    assert not differ, differ
    assert not wrote, f"refused requests that wrote rows: {wrote}"


def test_the_auditor_and_the_register_integration_change_nothing():
    """Read from the matrix itself: no write endpoint lets them in."""
    matrix = expected()
    case = "api/v1/cases/<str:reference>/"
    writes = [p for p in matrix if p.startswith(case) and p != case]
    writes += ["api/v1/desk/operations/", "identity-documents/checklist/record/"]
    for pattern in writes:
        assert "auditor" not in matrix[pattern], pattern
        assert "register" not in matrix[pattern], pattern
    data = ("api/", "counter/", "admin/", "identity-documents/")
    reaches = {
        p for p, roles in matrix.items() if "register" in roles and p.startswith(data)
    }
    public = {p for p, roles in matrix.items() if "anonymous" in roles}
    assert reaches - public == {"api/v1/register-events/"}
