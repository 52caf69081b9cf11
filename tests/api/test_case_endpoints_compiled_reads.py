"""The API's case list and case detail read through SQL compiled once per
process (counter/selectors/compiled.py, counter/selectors/api_cases.py; ADR
0030, "Addendum 2"): the same bytes and the same access rows as the query
sets' path, the SQL and parameters of every read equal to what Django compiles
for the same query set with the request's values, and the scope exactly
``visible_to``'s — another city's cases never, another office's only for a
supervisor."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from rest_framework.test import APIClient

from counter.constants import CertificateKind, Procedure
from counter.models import AccessPath, AccessRecord, Case
from counter.models.cases import CaseState, RevocationKind
from counter.selectors import api_cases
from counter.selectors import compiled as compiled_module
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cases/"


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _case(city: Any, office: Any, **fields: Any) -> Any:
    return f.CaseFactory(
        resident=f.ResidentFactory(municipality=city), office=office, **fields
    )


@pytest.fixture
def many_kinds(city, office, clerk, desk, open_counter):
    """Today's cases of every shape the answer has: card work pending and
    done, planned certificates, a deadline, an approved exception, flags, a
    current operation, a completion, a notification without a card, and an
    open case from yesterday touched today (the queue's carried-over ids)."""
    now = timezone.now()
    cases = [
        f.CaseFactory(
            resident=f.ResidentFactory(municipality=city),
            office=office,
            pin_kinds=["signing"],
            clerk=clerk,
            desk=desk,
            documents_checked=True,
        ),
        _case(
            city,
            office,
            procedure=Procedure.CERT_ISSUE,
            certificate_kinds=[CertificateKind.SIGNING, CertificateKind.AUTHENTICATION],
            certificate_plan={
                CertificateKind.SIGNING: "2031-04-01T14:59:59+00:00",
                CertificateKind.AUTHENTICATION: "2031-04-01T14:59:59+00:00",
            },
            completed_operations=["cert_issue:authentication"],
            state=CaseState.DOCUMENTS_CHECKED,
            exception_reason="未成年",
            exception_approved_at=now - dt.timedelta(minutes=5),
            fee_yen=200,
            fee_reason="再発行",
        ),
        _case(
            city,
            office,
            procedure=Procedure.PIN_CHANGE,
            pin_kinds=["signing", "authentication"],
            state=CaseState.AWAITING_SECOND_VISIT,
            second_visit_deadline=dt.date(2027, 1, 15),
            letter_reference="L-0001",
            flags=["last-card-error:wrong-pin"],
            current_operation_id=12345,
        ),
        _case(
            city,
            office,
            procedure=Procedure.CERT_REVOKE,
            revocation_kind=RevocationKind.NOTIFICATION,
            card=None,
            state=CaseState.COMPLETED,
            completed_at=now,
        ),
        _case(
            city,
            office,
            procedure=Procedure.SUSPENSION,
            state=CaseState.CANCELLED,
            cancellation_reason="本人の申出",
            outcome_code="",
        ),
    ]
    yesterday = now - dt.timedelta(days=1)
    carried = _case(city, office, state=CaseState.DOCUMENTS_CHECKED)
    Case.objects.filter(pk=carried.pk).update(created_at=yesterday, updated_at=now)
    return [*cases, carried]


def _access_rows() -> list[tuple[Any, ...]]:
    return list(
        AccessRecord.objects.order_by("id").values_list(
            "municipality_id",
            "actor_id",
            "actor_label",
            "desk_id",
            "resident_id",
            "case_id",
            "path",
            "url",
            "object_type",
            "object_id",
        )
    )


def _walk(client: APIClient, url: str) -> list[bytes]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.content)
        url = response.json()["next"]
    return pages


def _both_ways(monkeypatch, read):  # type: ignore[no-untyped-def]
    """``read()`` through the compiled SQL and through the query sets (the
    ORM's path, as before): its result and the access rows it wrote."""
    results = []
    for compiled in (True, False):
        if not compiled:
            monkeypatch.setattr(api_cases, "compiled_scope", lambda user: None)
        before = AccessRecord.objects.count()
        result = read()
        results.append((result, _access_rows()[before:]))
    monkeypatch.undo()
    return results


@pytest.mark.parametrize(
    ("who", "zone"),
    [("clerk", "Asia/Tokyo"), ("supervisor", "Asia/Tokyo"), ("clerk", "UTC")],
)
def test_the_list_and_detail_answers_and_access_rows_are_the_query_sets(
    monkeypatch, request, settings, many_kinds, city, office, who, zone
):
    settings.TIME_ZONE = zone
    user = request.getfixturevalue(who)
    assert api_cases.compiled_scope(user) is not None, "the compiled path serves"
    client = _client(user)
    for url in (LIST, f"{LIST}?limit=2", f"{LIST}?office=honcho&limit=200"):
        (fast, fast_log), (orm, orm_log) = _both_ways(
            monkeypatch, lambda url=url: _walk(client, url)
        )
        assert fast == orm
        assert fast_log == orm_log
    shown = {c["reference"] for page in fast for c in json.loads(page)["results"]}
    if zone == "Asia/Tokyo":
        assert shown == {c.reference for c in many_kinds}
    else:  # the city's morning is the day before in UTC: fewer cases, UTC times
        assert shown and b'Z"' in fast[0]
    for case in many_kinds:
        url = f"{LIST}{case.reference}/"
        (fast, fast_log), (orm, orm_log) = _both_ways(
            monkeypatch, lambda url=url: client.get(url).content
        )
        assert fast == orm
        assert fast_log == orm_log and len(fast_log) == 1


def test_every_compiled_read_is_the_sql_django_compiles_for_its_values(
    monkeypatch, many_kinds, clerk, supervisor
):
    real = compiled_module.compiled
    checked: set[str] = set()

    class Checked:
        def __init__(self, key, build, shape):  # type: ignore[no-untyped-def]
            self.key, self.build, self.shape = key, build, shape
            self.alias = shape.alias

        def rows(self, values, around=None):  # type: ignore[no-untyped-def]
            fresh = self.build(values)
            # Django's SQL and parameters for these values, with the shape's
            # constants written in (ADR 0040).
            assert (self.shape.sql, self.shape.params(values)) == (
                compiled_module.write_in_constants(
                    self.alias, *fresh.query.sql_with_params(), self.shape.slot_sources
                )
            )
            # The same rows, whatever statement the read is put in (ADR 0038).
            rows = self.shape.rows(values, around=around)
            # values_list(flat=True) gives bare values, the compiled read tuples.
            assert rows == [r if isinstance(r, tuple) else (r,) for r in fresh]
            checked.add(self.key if isinstance(self.key, str) else self.key[0])
            return rows

    def spy(key, build, sentinels):  # type: ignore[no-untyped-def]
        return Checked(key, build, real(key, build, sentinels))

    monkeypatch.setattr(compiled_module, "compiled", spy)
    for user in (clerk, supervisor):
        client = _client(user)
        _walk(client, f"{LIST}?limit=2")
        _walk(client, f"{LIST}?office=honcho&limit=3")
        assert client.get(f"{LIST}{many_kinds[0].reference}/").status_code == 200
    assert checked == {
        "queue-page",
        "case-by-reference",
        "case-history",
    }


def test_another_citys_and_another_offices_cases_never_appear(
    city, office, clerk, supervisor
):
    branch = f.OfficeFactory(municipality=city)
    elsewhere: Any = f.MunicipalityFactory()
    ours = _case(city, office)
    branchs = _case(city, branch)
    theirs = _case(elsewhere, f.main_office(elsewhere))
    assert Case.objects.filter(reference=theirs.reference).exists()

    def listed(user: Any, url: str = LIST) -> set[str]:
        assert api_cases.compiled_scope(user) is not None
        return {
            c["reference"]
            for page in _walk(_client(user), url)
            for c in json.loads(page)["results"]
        }

    assert listed(clerk) == {ours.reference}
    assert listed(supervisor) == {ours.reference, branchs.reference}
    assert listed(supervisor, f"{LIST}?office={branch.code}") == {branchs.reference}

    def status(user: Any, case: Case) -> int:
        return int(_client(user).get(f"{LIST}{case.reference}/").status_code)

    assert [status(clerk, c) for c in (ours, branchs, theirs)] == [200, 404, 404]
    assert [status(supervisor, c) for c in (ours, branchs, theirs)] == [200, 200, 404]
    logged = set(
        AccessRecord.objects.filter(
            path__in=[AccessPath.API_CASE, AccessPath.API_CASE_LIST]
        ).values_list("case_id", flat=True)
    )
    assert theirs.pk not in logged


def test_a_sentinel_the_query_does_not_use_is_refused():
    with pytest.raises(ValueError, match="slots"):
        compiled_module.compile_shape(
            lambda s: Case.objects.filter(pk=s["a"]),
            {"a": compiled_module.sentinel_int(), "b": compiled_module.sentinel_int()},
        )


def test_a_case_from_a_row_is_the_case_from_db_builds(many_kinds):
    assert not pre_init.has_listeners(Case) and not post_init.has_listeners(Case)
    for case in many_kinds:
        values = Case.objects.filter(pk=case.pk).values_list(*api_cases.CASE_COLUMNS)
        row = values.get()
        built, django = (
            api_cases.case_from_row("default", row),
            Case.from_db("default", api_cases.CASE_COLUMNS, row),
        )
        assert type(built) is type(django)
        assert built.get_deferred_fields() == django.get_deferred_fields()
        assert "updated_at" in built.get_deferred_fields()
        plain = {k: v for k, v in vars(built).items() if k != "_state"}
        assert plain == {k: v for k, v in vars(django).items() if k != "_state"}
        # The empty relation cache is made on first use either way.
        assert {k: v for k, v in vars(built._state).items() if k != "fields_cache"} == {
            "db": "default",
            "adding": False,
        }
        assert vars(built._state).get("fields_cache", {}) == {}
        assert (django._state.db, django._state.adding, django._state.fields_cache) == (
            "default",
            False,
            {},
        )
        # A deferred column is still there for whoever asks.
        assert built.updated_at == Case.objects.get(pk=case.pk).updated_at
