"""The access log: who read whose personal data (issue 10 §5;
docs/security/audit-trail.md, "What is a read").

A read writes plain rows with no hash chain and no chain lock, so reading never
waits for a writer (docs/adr/0011-audit-append-design.md): one row per read
(:func:`access_record`), one statement for a list (:func:`access_record_many`),
or the read's own statement (:class:`ReadLog`; ADR 0038). Split from
:mod:`counter.audit`, which re-exports these names.

An entry that is its own transaction is committed without waiting for the
disk (ADR 0042): the read's audit is off the request's critical path, and a
crash of the database server can lose at most its last fraction of a second
of entries. Inside a transaction (a state change, the admin's views) the
entry commits as that transaction does.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from config.database.kept import prepared_cursor
from counter.models import AccessPath, AccessRecord, Case, Resident


def access_record(
    request: HttpRequest | None,
    path: AccessPath | str,
    *,
    resident: Any = None,
    case: Any = None,
    obj: models.Model | None = None,
    desk: Any = None,
    actor: Any = None,
) -> AccessRecord:
    """Log that ``request.user`` was shown a resident's (or case's) personal data.

    No hash chain and no lock: a read never waits for a writer. Call it after the
    data was found and the permission check passed, so a refused request logs
    nothing here (the refusal is audited where it is refused).
    """
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    resident_id = resident.pk if resident is not None else None
    if case is not None and resident_id is None:
        resident_id = case.resident_id
    municipality_id = None
    for source in (case, resident):
        if source is not None and municipality_id is None:
            municipality_id = source.municipality_id
    if municipality_id is None and actor is not None:
        profile = getattr(actor, "staff_profile", None)
        municipality_id = profile.municipality_id if profile else None
    target = obj if obj is not None else (case if case is not None else resident)
    record = AccessRecord(
        at=timezone.now(),
        municipality_id=municipality_id,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "anonymous",
        desk=desk,
        resident_id=resident_id,
        case=case,
        path=str(path),
        url=request.get_full_path()[:300] if request is not None else "",
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
    )
    if connection.vendor != "postgresql":
        record.save()
        return record
    # One INSERT … RETURNING with the row's own values, without the ORM's
    # statement compiler (≈ 1 ms of the API's case read; issue 14, ADR 0030).
    fields = _access_insert_fields()
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            _access_one_sql(unwaited=_own_transaction()),
            [f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields],
        )
        row = cursor.fetchone()
    record.pk = row[0]
    record._state.adding = False
    record._state.db = connection.alias
    return record


def _access_insert_fields() -> list[Any]:
    return [f for f in AccessRecord._meta.concrete_fields if not f.primary_key]


def _access_one_sql(*, unwaited: bool) -> str:
    meta = AccessRecord._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in _access_insert_fields())
    marks = ", ".join(["%s"] * len(_access_insert_fields()))
    pk: Any = meta.pk
    # RETURNING is computed as the row is inserted, so the setting is in force
    # for the statement's commit.
    return (
        f"INSERT INTO {quote(str(meta.db_table))} ({columns}) VALUES ({marks}) "
        f"RETURNING {quote(str(pk.column))}"
        + (f", {UNWAITED_COMMIT}" if unwaited else "")
    )


# Set for the current transaction only (``is_local``), from inside the statement
# that writes the entries, so no other transaction of the connection is touched
# (PgBouncer's transaction mode included). ADR 0042.
UNWAITED_COMMIT = "set_config('synchronous_commit', 'off', true)"


def _own_transaction() -> bool:
    """Whether a statement sent now is its own transaction (autocommit, outside
    ``atomic``): only then may its commit skip the wait for the disk, since an
    enclosing transaction may hold a state change (ADR 0042)."""
    return connection.get_autocommit() and not connection.in_atomic_block


def access_record_many(
    request: HttpRequest, path: AccessPath | str, residents: Any, *, desk: Any = None
) -> int:
    """One access entry per resident shown in a list, in one insert.

    ``residents`` are residents (search results) or cases (a page of an API
    case list), one kind per call: a case's entry names its resident and the
    case, like the case detail's.
    On PostgreSQL the rows go in as one ``INSERT … SELECT FROM unnest(…)`` of
    three arrays, inside the request before its answer (committed as ADR 0042
    says), but without building fifty model objects and their SQL on each
    search (issue 14; ADR 0030). Elsewhere (the demo's SQLite) ``bulk_create``."""
    residents = list(residents)
    if not residents:
        return 0
    # (resident, case) of each row shown: a case stands for its resident.
    shown = [
        (r.resident_id, r.pk) if isinstance(r, Case) else (r.pk, None)
        for r in residents
    ]
    if connection.vendor == "postgresql":
        return _access_insert_many(
            request,
            path,
            desk,
            residents[0]._meta.label_lower,
            [resident_id for resident_id, _case_id in shown],
            [r.municipality_id for r in residents],
            [case_id for _resident_id, case_id in shown],
        )
    actor, label = _reader(request)
    now = timezone.now()
    url = request.get_full_path()[:300]
    rows = [
        AccessRecord(
            at=now,
            municipality_id=row.municipality_id,
            actor=actor,
            actor_label=label,
            desk=desk,
            resident_id=resident_id,
            case_id=case_id,
            path=str(path),
            url=url,
            object_type=row._meta.label_lower,
            object_id=str(row.pk),
        )
        for row, (resident_id, case_id) in zip(residents, shown, strict=True)
    ]
    AccessRecord.objects.bulk_create(rows)
    return len(rows)


def access_record_residents(
    request: HttpRequest,
    path: AccessPath | str,
    shown: Sequence[tuple[int, int]],
    *,
    desk: Any = None,
) -> int:
    """:func:`access_record_many` for residents read as values, not instances:
    ``shown`` is each resident's (id, municipality id). The same rows, in the
    same one insert."""
    if not shown:
        return 0
    if connection.vendor != "postgresql":
        return access_record_many(
            request,
            path,
            [Resident(pk=pk, municipality_id=m) for pk, m in shown],
            desk=desk,
        )
    return _access_insert_many(
        request,
        path,
        desk,
        Resident._meta.label_lower,
        [pk for pk, _m in shown],
        [m for _pk, m in shown],
        [None] * len(shown),
    )


def _reader(request: HttpRequest) -> tuple[Any, str]:
    """The request's authenticated user (or None) and the label the log keeps."""
    actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return actor, actor.get_username() if actor is not None else "anonymous"


def _access_insert_many(
    request: HttpRequest,
    path: AccessPath | str,
    desk: Any,
    object_type: str,
    resident_ids: list[int],
    municipality_ids: list[int],
    case_ids: list[int | None],
) -> int:
    """One ``INSERT … SELECT FROM unnest(…)`` of the rows (PostgreSQL)."""
    actor, label = _reader(request)
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            _access_many_sql(unwaited=_own_transaction()),
            {
                "at": timezone.now(),
                "actor": actor.pk if actor is not None else None,
                "label": label,
                "desk": desk.pk if desk is not None else None,
                "path": str(path),
                "url": request.get_full_path()[:300],
                "type": object_type,
                "residents": resident_ids,
                "municipalities": municipality_ids,
                "cases": case_ids,
            },
        )
    return len(resident_ids)


@dataclass(frozen=True)
class ShownColumns:
    """Where the rows of a read name what they show, by column position: the
    resident, its municipality, the case (None: the rows are residents), and
    the columns the read is ordered by (the last one unique)."""

    resident: int
    municipality: int
    case: int | None
    order: tuple[int, ...]


@dataclass(frozen=True)
class ReadLog:
    """The access entry of a read, written by the read's own statement
    (:meth:`around`; ADR 0038): who read, at which desk, where, at what
    address and when, as :func:`access_record_many` writes it."""

    path: str
    actor_id: int | None
    label: str
    desk_id: int | None
    url: str
    at: Any

    def around(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        width: int,
        shown: ShownColumns,
        limit: int,
        object_type: str,
    ) -> tuple[str, list[Any]]:
        """The SELECT ``sql`` (``width`` columns) as one statement that answers
        its rows and logs the first ``limit`` of them (in ``shown.order``; a
        page reads one row more to know there is a next one) as shown.

        A read and its log are then one atomic statement: no answer without
        its entry, and one round trip, not two (issue 14)."""
        return _read_logged_sql(sql, width, shown, _own_transaction()), [
            *params,
            self.at,
            self.actor_id,
            self.label,
            self.desk_id,
            self.path,
            self.url,
            object_type,
            limit,
        ]


def read_log(
    request: HttpRequest, path: AccessPath | str, *, desk: Any = None
) -> ReadLog:
    """The access entry of a read made for ``request`` (PostgreSQL only: the
    caller reads with :meth:`ReadLog.around` there, and logs with
    :func:`access_record_many` elsewhere)."""
    actor, label = _reader(request)
    return ReadLog(
        path=str(path),
        actor_id=actor.pk if actor is not None else None,
        label=label,
        desk_id=desk.pk if desk is not None else None,
        url=request.get_full_path()[:300],
        at=timezone.now(),
    )


@functools.lru_cache(maxsize=256)
def _read_logged_sql(sql: str, width: int, shown: ShownColumns, unwaited: bool) -> str:
    """``WITH shown AS (sql), logged AS (INSERT … the first rows) SELECT …``:
    the same text for the same read, so psycopg and PostgreSQL keep it
    prepared. The columns are renamed by position (a read's columns may share
    names). ``unwaited``: the statement is its own transaction, committed
    without waiting for the disk (ADR 0042); the setting is made by the rows
    the log inserts, so it is in force whenever an entry is written."""
    names = ", ".join(f"c{i}" for i in range(width))
    order = ", ".join(f"c{i}" for i in shown.order)
    case = "NULL::bigint" if shown.case is None else f"s.c{shown.case}"
    return (
        f"WITH shown ({names}) AS ({sql}), logged AS ({_access_insert_into()} "
        f"SELECT %s, s.c{shown.municipality}, %s, %s, %s, s.c{shown.resident}, "
        f"{case}, %s, %s, %s, COALESCE({case}, s.c{shown.resident})::text "
        f"FROM (SELECT * FROM shown ORDER BY {order} LIMIT %s) AS s"
        f"{_unwaited_where(unwaited)}) SELECT * FROM shown ORDER BY {order}"
    )


def _access_many_sql(*, unwaited: bool) -> str:
    return (
        f"{_access_insert_into()} "
        "SELECT %(at)s, t.m, %(actor)s, %(label)s, %(desk)s, t.r, t.c, %(path)s, "
        "%(url)s, %(type)s, COALESCE(t.c, t.r)::text "
        "FROM unnest(%(residents)s::bigint[], %(municipalities)s::bigint[], "
        "%(cases)s::bigint[]) AS t(r, m, c)"
        f"{_unwaited_where(unwaited)}"
    )


def _unwaited_where(unwaited: bool) -> str:
    """A condition on each row inserted that makes the setting (always true)."""
    return f" WHERE {UNWAITED_COMMIT} IS NOT NULL" if unwaited else ""


def _access_insert_into() -> str:
    """``INSERT INTO`` the access log's columns, named from the model, so a
    renamed column breaks a test rather than the log: when, municipality, who,
    who (label), desk, resident, case, where, address, object type, object id."""
    meta = AccessRecord._meta
    quote = connection.ops.quote_name

    def col(name: str) -> str:
        field: Any = meta.get_field(name)
        return quote(str(field.column))

    return (
        f"INSERT INTO {quote(str(meta.db_table))} ("
        f"{col('at')}, {col('municipality')}, {col('actor')}, {col('actor_label')}, "
        f"{col('desk')}, {col('resident')}, {col('case')}, {col('path')}, "
        f"{col('url')}, {col('object_type')}, {col('object_id')})"
    )
