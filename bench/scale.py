"""A prefecture's installation in one database: ``python bench/scale.py [--small]``.

Builds, in a PostgreSQL database of its own (bench/bench_env.py, dropped
afterwards), 1,000,000 cases, 500,000 residents, 4,000,000 audit rows and
100,000 letters with bulk SQL (``INSERT … SELECT … generate_series``), then runs
the reads a clerk, supervisor or auditor makes through the project's selectors,
12 times each, and prints one line per read::

    <read>_p50_ms / <read>_p95_ms / <read>_queries

and ``build_s``, ``scale_cases``, ``worst_p95_ms``, ``max_queries``. Target:
worst p95 ≤ 200 ms, the query counts constant. ``--small`` (CI) is 1/100th.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from bench.bench_env import migrate, own_database  # noqa: E402

ROUNDS = 12
FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
]
FAMILY_KANA = [
    "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ",
    "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ",
]  # fmt: skip
SUZUKI = "%E9%88%B4%E6%9C%A8"  # 鈴木, a tenth of the residents
STATES = ["completed"] * 8 + ["documents_checked", "awaiting_second_visit"]


EMPTY = {
    "character varying": "''",
    "text": "''",
    "jsonb": "'{}'",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "date": "current_date",
    "timestamp with time zone": "now()",
}


def insert(
    cursor: Any, table: str, values: dict[str, str], rows: int, **params: Any
) -> None:
    """INSERT … SELECT over generate_series(1, n) AS g; the required columns the
    bench does not name get an empty value of their type, so the bench follows
    the schema as it grows."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL"
        " AND column_name <> 'id'",
        [table],
    )
    for column, data_type in cursor.fetchall():
        values.setdefault(column, EMPTY.get(data_type, "''"))
    columns = ", ".join(values)
    exprs = ", ".join(values.values())
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {exprs}"
        f" FROM generate_series(1, {int(rows)}) g",
        params,
    )


def build(city_id: int, office_id: int, residents: int, cases: int) -> None:
    """The rows, in bulk, with realistic spreads."""
    from django.db import connection

    audit = cases * 4
    with connection.cursor() as c:
        insert(
            c,
            "counter_resident",
            {
                "municipality_id": "%(city)s",
                "register_id": "'R' || lpad(g::text, 9, '0')",
                "name": "(%(family)s::text[])[1 + g %% 10] || ' 太郎' || g",
                "name_kana": "(%(kana)s::text[])[1 + g %% 10] || ' タロウ' || g",
                "postal_code": "'243-' || lpad((g %% 10000)::text, 4, '0')",
                "address": "'神奈川県厚木市中町' || (g %% 9 + 1) || '丁目'",
                "birth_date": "date '1930-01-01' + (g %% 30000)",
                "gender": "'male'",
                "registration_status": "'registered'",
                "nationality": "'JP'",
                "household_code": "'H' || (g / 3)",
            },
            residents,
            city=city_id,
            family=FAMILY,
            kana=FAMILY_KANA,
        )
        c.execute("SELECT min(id) FROM counter_resident")
        first_resident = c.fetchone()[0]
        when = "now() - make_interval(secs => (%(n)s - g) * 63.0)"
        insert(
            c,
            "counter_case",
            {
                "municipality_id": "%(city)s",
                "office_id": "%(office)s",
                "resident_id": "%(first)s + g %% %(residents)s",
                "reference": "'S-' || lpad(g::text, 9, '0')",
                "procedure": "'cert_renew'",
                "applicant_role": "'holder'",
                "state": "(%(states)s::text[])[1 + g %% 10]",
                "created_at": when,
                "updated_at": when,
                "certificate_kinds": "'[]'",
                "completed_operations": "'[]'",
                "pin_kinds": "'[]'",
                "visit": "1",
            },
            cases,
            city=city_id,
            office=office_id,
            first=first_resident,
            residents=residents,
            states=STATES,
            n=cases,
        )
        c.execute("SELECT min(id), max(id) FROM counter_case")
        first_case, last_case = c.fetchone()
        audit_row = {
            "municipality_id": "%(city)s",
            "office_id": "%(office)s",
            "actor_label": "'bench'",
            "action": "'case_viewed'",
            "object_type": "'counter.case'",
            "data": "'{}'",
            "prev_hash": "md5((g - 1)::text) || md5((g - 1)::text)",
            "hash": "md5(g::text) || md5(g::text)",
        }
        insert(
            c,
            "counter_auditevent",
            {
                **audit_row,
                "seq": "1000 + g",
                "created_at": "now() - make_interval(secs => (%(n)s - g) * 16.0)",
                "case_id": "%(first)s + g %% %(cases)s",
                "object_id": "(%(first)s + g %% %(cases)s)::text",
            },
            audit,
            city=city_id,
            office=office_id,
            first=first_case,
            cases=cases,
            n=audit,
        )
        # The much-viewed case: 3,000 reads on one case page.
        insert(
            c,
            "counter_auditevent",
            {
                **audit_row,
                "seq": "%(n)s + 1000 + g",
                "created_at": "now()",
                "prev_hash": "md5('v' || (g - 1)) || md5((g - 1)::text)",
                "hash": "md5('v' || g) || md5(g::text)",
                "case_id": "%(case)s",
                "object_id": "%(case)s::text",
            },
            3000,
            city=city_id,
            office=office_id,
            case=last_case,
            n=audit,
        )
        insert(
            c,
            "counter_inquiryletter",
            {
                "municipality_id": "%(city)s",
                "office_id": "%(office)s",
                "case_id": "%(first)s + g * 10 - 1",
                "visit": "1",
                "reference": "'L-' || lpad(g::text, 9, '0')",
                "kind": "'pin'",
                "procedure": "'pin_change'",
                "state": "'mailed'",
                "recipient_name": "'見本 花子'",
                "recipient_postal_code": "'243-0018'",
                "recipient_address": "'神奈川県厚木市中町1-1'",
                "agent_name": "'代理 太郎'",
                "deadline": "current_date + 14",
                "attempts": "1",
                "pdf_sha256": "md5(g::text) || md5(g::text)",
            },
            cases // 10,
            city=city_id,
            office=office_id,
            first=first_case,
        )
        c.execute("ANALYZE")


class Counter:
    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, ctx: Any):
        self.queries += 1
        return execute(sql, params, many, ctx)


def timed(read: Callable[[], Any]) -> tuple[float, float, int]:
    """p50 and p95 (ms) over ROUNDS runs, and the queries of one run."""
    from django.db import connection

    read()  # warm-up
    samples = []
    counter = Counter()
    for i in range(ROUNDS):
        started = time.perf_counter()
        if i == 0:
            with connection.execute_wrapper(counter):
                read()
        else:
            read()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, counter.queries


def _client(user: Any, api: bool) -> Any:
    """A client logged in as ``user``: the API's (the project's authentication
    bypassed, as the floor measures it) or the browser's (a session)."""
    from django.test import Client
    from rest_framework.test import APIClient

    if api:
        client = APIClient(HTTP_HOST="testserver")
        client.force_authenticate(user)
        return client
    browser = Client()
    browser.force_login(user)
    return browser


def _get(client: Any, url: str) -> Callable[[], Any]:
    def read() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        return response.content

    return read


def reads(clerk: Any, supervisor: Any) -> dict[str, Callable[[], Any]]:
    from counter import selectors
    from counter.models import Case

    today = dt.date.today()
    fresh = Case.objects.order_by("pk").values_list("reference", flat=True).first()
    viewed = Case.objects.order_by("-pk").values_list("reference", flat=True).first()

    def page(reference: str) -> Callable[[], Any]:
        def read() -> Any:
            case = selectors.case_detail(user=clerk, reference=reference)
            return selectors.case_history(user=clerk, case=case)

        return read

    def search(query: str) -> Callable[[], Any]:
        return lambda: list(selectors.residents_search(user=clerk, query=query))

    api, boss = _client(clerk, api=True), _client(supervisor, api=True)
    browser = _client(supervisor, api=False)
    counter = _client(clerk, api=False)
    first_page = api.get("/api/v1/cases/").json()
    year = f"start={today - dt.timedelta(days=365)}&end={today}"

    return {
        "search_kana": search("さとう"),
        "search_kanji": search("佐藤"),
        "search_full_name": search("鈴木 太郎12345"),
        "search_no_hit": search("存在しない名前"),
        # The screen itself: the 50 listed, their access-log rows, the prompt.
        "reception_screen_common": _get(
            counter, "/counter/reception/?q=%E4%BD%90%E8%97%A4"
        ),
        "reception_screen_full_name": _get(
            counter, "/counter/reception/?q=%E9%88%B4%E6%9C%A8+%E5%A4%AA%E9%83%8E12345"
        ),
        "queue": lambda: list(selectors.cases_today_queue(user=clerk)[:50]),
        "case_page_fresh": page(fresh),
        "case_page_much_viewed": page(viewed),
        "second_visit_pickup": lambda: list(
            selectors.cases_awaiting_second_visit(user=supervisor)[:50]
        ),
        "console_today": lambda: selectors.case_counts_daily(
            user=supervisor, day_from=today, day_to=today
        ),
        "console_year": lambda: selectors.case_counts_daily(
            user=supervisor, day_from=today - dt.timedelta(days=365), day_to=today
        ),
        "console_page": _get(browser, "/counter/console/"),
        "csv_export_year": _get(browser, f"/counter/console/export/counts.csv?{year}"),
        # The admin's lists, as a supervisor or an auditor opens them, and their
        # searches: a name (many matches) and a reference (one).
        "admin_cases": _get(browser, "/admin/counter/case/"),
        "admin_cases_search_name": _get(browser, f"/admin/counter/case/?q={SUZUKI}"),
        "admin_cases_search_reference": _get(
            browser, f"/admin/counter/case/?q={viewed}"
        ),
        "admin_residents": _get(browser, "/admin/counter/resident/"),
        "admin_residents_search_name": _get(
            browser, f"/admin/counter/resident/?q={SUZUKI}"
        ),
        "admin_audit": _get(browser, "/admin/counter/auditevent/"),
        "admin_audit_search_action": _get(
            browser, "/admin/counter/auditevent/?q=case_viewed"
        ),
        "admin_audit_search_case": _get(
            browser, f"/admin/counter/auditevent/?q={viewed}"
        ),
        "admin_letters": _get(browser, "/admin/counter/inquiryletter/"),
        "admin_letters_search_reference": _get(
            browser, "/admin/counter/inquiryletter/?q=L-000000123"
        ),
        "api_queue": _get(api, "/api/v1/cases/"),
        "api_queue_next_page": _get(api, first_page["next"] or "/api/v1/cases/"),
        "api_case_detail": _get(api, f"/api/v1/cases/{viewed}/"),
        "api_resident_search": _get(api, "/api/v1/residents/?q=%E4%BD%90%E8%97%A4"),
        "api_approvals": _get(boss, "/api/v1/cases/awaiting-approval/"),
        "api_overdue": _get(boss, "/api/v1/cases/overdue-second-visits/"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the CI size (1/100)")
    small = parser.parse_args().small
    cases = 10_000 if small else 1_000_000
    with own_database("scale"):
        import django

        django.setup()
        logging.disable(logging.INFO)
        migrate()
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host; mail kept in memory
        from django.core.management import call_command

        from tests.factories import MunicipalityFactory, clerk, main_office, supervisor

        city = MunicipalityFactory(code="900000", name="ベンチ市")
        office = main_office(city)
        users = clerk(city, office), supervisor(city)
        started = time.perf_counter()
        build(city.pk, office.pk, cases // 2, cases)
        print(f"build_s: {time.perf_counter() - started:.1f}")
        # The cases were written around the services, as a migration or a restore
        # writes them: the daily counts are rebuilt as production does (ADR 0029).
        started = time.perf_counter()
        call_command("case_counts_rebuild", stdout=io.StringIO())
        print(f"counts_rebuild_s: {time.perf_counter() - started:.1f}")
        worst, most = 0.0, 0
        for name, read in reads(*users).items():
            p50, p95, queries = timed(read)
            worst, most = max(worst, p95), max(most, queries)
            print(f"{name}_p50_ms: {p50:.1f}")
            print(f"{name}_p95_ms: {p95:.1f}")
            print(f"{name}_queries: {queries}")
        print(f"scale_cases: {cases}")
        print(f"worst_p95_ms: {worst:.1f}")
        print(f"max_queries: {most}")


if __name__ == "__main__":
    main()
