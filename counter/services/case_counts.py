"""The daily case counts (:class:`~counter.models.CaseDayCount`) kept in the
transaction that opens or completes a case, and rebuilt from the cases
(ADR 0029).

The case services call :func:`count_case_opened` and :func:`count_case_moved`
(one ``INSERT … ON CONFLICT DO UPDATE`` each); :func:`case_counts_rebuild` is
what a new installation, a restored database or a bulk load runs once
(``manage.py case_counts_rebuild``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from config.database.kept import prepared_cursor
from counter.models import Case, CaseDayCount
from counter.models.cases import CaseState

TABLE = CaseDayCount._meta.db_table
COLUMNS = "municipality_id, office_id, day, procedure, opened, completed"
UPSERT = (
    f"INSERT INTO {TABLE} ({COLUMNS})"
    " VALUES (%s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (municipality_id, office_id, day, procedure) DO UPDATE SET"
    f" opened = {TABLE}.opened + EXCLUDED.opened,"
    f" completed = {TABLE}.completed + EXCLUDED.completed"
)


def city_day(instant: dt.datetime) -> dt.date:
    """The day of ``instant`` in the city's time zone (the console's day)."""
    return instant.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def _add(case: Case, *, opened: int, completed: int) -> None:
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            UPSERT,
            [
                case.municipality_id,
                case.office_id,
                city_day(case.created_at),
                case.procedure,
                opened,
                completed,
            ],
        )


def count_case_opened(case: Case) -> None:
    """A case was just saved for the first time: one more opened on its day."""
    _add(case, opened=1, completed=int(case.state == CaseState.COMPLETED))


def count_case_moved(case: Case, from_state: str) -> None:
    """A case left ``from_state``: its opening day's completed count follows it
    into (or, were it ever possible, out of) the completed state."""
    was, now = from_state == CaseState.COMPLETED, case.state == CaseState.COMPLETED
    if was != now:
        _add(case, opened=0, completed=1 if now else -1)


def case_counts_rebuild(
    *,
    day_from: dt.date | None = None,
    day_to: dt.date | None = None,
    municipality_id: int | None = None,
) -> int:
    """Recompute the counts of the given days (every day if none) from the
    cases, in one statement. The table lock waits for the transactions that are
    counting a case now and holds back those that would, so no case is counted
    twice or lost while the days are rebuilt. Returns the rows written."""
    zone = ZoneInfo(settings.TIME_ZONE)
    cases, counts = ["TRUE"], ["TRUE"]
    params: list[Any] = []
    count_params: list[Any] = []
    if day_from is not None:
        start = dt.datetime.combine(day_from, dt.time.min, tzinfo=zone)
        cases.append("created_at >= %s")
        counts.append("day >= %s")
        params.append(start)
        count_params.append(day_from)
    if day_to is not None:
        end = dt.datetime.combine(
            day_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        cases.append("created_at < %s")
        counts.append("day <= %s")
        params.append(end)
        count_params.append(day_to)
    if municipality_id is not None:
        cases.append("municipality_id = %s")
        counts.append("municipality_id = %s")
        params.append(municipality_id)
        count_params.append(municipality_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE {' AND '.join(counts)}", count_params
        )
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS})"
            " SELECT municipality_id, office_id, (created_at AT TIME ZONE %s)::date,"
            " procedure, count(*), count(*) FILTER (WHERE state = %s)"
            f" FROM {Case._meta.db_table} WHERE {' AND '.join(cases)}"
            " GROUP BY 1, 2, 3, 4",
            [settings.TIME_ZONE, CaseState.COMPLETED, *params],
        )
        return cursor.rowcount
