"""The audit chain's sequencer: hashing a row, and appending one row or a batch.

Each chain's position is its head row (:class:`~counter.models.AuditChainHead`),
whose row lock is held to the caller's COMMIT. :func:`append_one` moves the head
and inserts the row in one statement; :func:`append_many` reserves the numbers of
a batch in one statement, computes the hashes here and inserts every row in one
more, then sets the head (docs/adr/0024-audit-sequencer.md). Callers go through
:func:`counter.audit.audit_record` and :func:`counter.audit.audit_batch`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from django.db import connection, transaction

from config.database.kept import prepared_cursor
from counter.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
#: The time of a head whose chain has no row yet (SQLite; PostgreSQL: -infinity).
_BEFORE_ANY_ROW = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def _fields_for_hash(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "municipality": event.municipality_id,
        "office": event.office_id,
        "desk": event.desk_id,
        "case": event.case_id,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    payload = json.dumps(
        _fields_for_hash(event),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ sequencer
# The chain's position is its head row (AuditChainHead). One statement moves the
# head and inserts the row: the head's row lock is taken, the previous hash read,
# the new hash computed by PostgreSQL over the same JSON text compute_hash()
# hashes, and the row inserted, in one round trip and without a savepoint
# (docs/adr/0024-audit-sequencer.md). The time of a row is never before the time
# of the row it follows, so seq order and time order agree within a chain.
_APPEND_SQL = """
WITH head AS (
    UPDATE counter_auditchainhead AS h
       SET seq = h.seq + 1,
           prev_hash = h.hash,
           at = GREATEST(%(at)s, h.at),
           hash = encode(sha256(convert_to(
               %(before_at)s
               || to_char(GREATEST(%(at)s, h.at) AT TIME ZONE 'UTC',
                          'YYYY-MM-DD"T"HH24:MI:SS.US')
               || '+00:00' || %(before_prev)s || h.hash
               || '","seq":' || (h.seq + 1)::text || '}', 'UTF8')), 'hex')
     WHERE h.chain = %(chain)s
 RETURNING h.seq, h.at, h.prev_hash, h.hash
)
INSERT INTO counter_auditevent (
    chain, seq, created_at, municipality_id, office_id, desk_id, case_id,
    actor_id, actor_label, action, object_type, object_id, data, prev_hash, hash)
SELECT %(chain)s, head.seq, head.at, %(municipality)s, %(office)s, %(desk)s,
       %(case)s, %(actor)s, %(actor_label)s, %(action)s, %(object_type)s,
       %(object_id)s, %(data)s::jsonb, head.prev_hash, head.hash
  FROM head
RETURNING id, seq, created_at, prev_hash, hash
"""

# A chain's first append, or a head lost: the head starts at the chain's last row
# (or before the first). ON CONFLICT: another writer made it first.
_HEAD_SQL = """
INSERT INTO counter_auditchainhead (chain, seq, hash, prev_hash, at)
SELECT %(chain)s, coalesce(last.seq, 0), coalesce(last.hash, %(genesis)s),
       coalesce(last.prev_hash, %(genesis)s), coalesce(last.created_at, '-infinity')
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
      SELECT seq, hash, prev_hash, created_at FROM counter_auditevent
       WHERE chain = %(chain)s ORDER BY seq DESC LIMIT 1) AS last ON true
ON CONFLICT (chain) DO NOTHING
"""


def _json_text(fields: dict[str, Any]) -> str:
    """The JSON text compute_hash() hashes, for some of its keys (sorted)."""
    return ",".join(
        json.dumps(key)
        + ":"
        + json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for key, value in sorted(fields.items())
    )


def hash_text_around(event: AuditEvent) -> tuple[str, str]:
    """compute_hash()'s JSON text, cut where the time and the previous hash go:
    ``before_at + time + before_prev + prev_hash + '","seq":' + seq + '}'``.

    The keys sort as action … case < created_at < data … office < prev_hash <
    seq, so the three values the sequencer decides sit at known places.
    """
    fields = _fields_for_hash(event)
    for key in ("created_at", "prev_hash", "seq"):
        fields.pop(key)
    first = {k: v for k, v in fields.items() if k < "created_at"}
    middle = {k: v for k, v in fields.items() if k > "created_at"}
    before_at = "{" + _json_text(first) + ',"created_at":"'
    before_prev = '",' + _json_text(middle) + ',"prev_hash":"'
    return before_at, before_prev


def append_one(event: AuditEvent) -> None:
    """Append ``event`` (all but seq, time, hashes set) to its chain."""
    if connection.vendor != "postgresql":
        append_many([event])
        return
    before_at, before_prev = hash_text_around(event)
    params: dict[str, Any] = {
        "chain": event.chain,
        "at": event.created_at,
        "before_at": before_at,
        "before_prev": before_prev,
        "municipality": event.municipality_id,
        "office": event.office_id,
        "desk": event.desk_id,
        "case": event.case_id,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": json.dumps(event.data, ensure_ascii=False),
    }
    with prepared_cursor(connection) as cursor:
        cursor.execute(_APPEND_SQL, params)
        row = cursor.fetchone()
        if row is None:  # no head yet: make it, then append (once per chain)
            cursor.execute(_HEAD_SQL, {"chain": event.chain, "genesis": GENESIS_HASH})
            cursor.execute(_APPEND_SQL, params)
            row = cursor.fetchone()
    event.pk, event.seq, event.created_at, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias


# A batch of one chain in one statement: the head is locked, each row's number,
# time and hash follow from the row before it (a recursive CTE over the batch in
# the order recorded, the same hash text as _APPEND_SQL), every row is inserted
# and the head set to the last. Returns nothing when the chain has no head yet.
_APPEND_MANY_SQL = """
WITH RECURSIVE
head AS (
    SELECT h.seq, h.at, h.hash FROM counter_auditchainhead AS h
     WHERE h.chain = %(chain)s
       FOR UPDATE
),
batch AS (
    SELECT * FROM unnest(
        %(before_at)s::text[], %(before_prev)s::text[], %(at)s::timestamptz[],
        %(municipality)s::bigint[], %(office)s::bigint[], %(desk)s::bigint[],
        %(case)s::bigint[], %(actor)s::bigint[], %(actor_label)s::text[],
        %(action)s::text[], %(object_type)s::text[], %(object_id)s::text[],
        %(data)s::text[]
    ) WITH ORDINALITY AS b(before_at, before_prev, at, municipality, office, desk,
                           case_id, actor, actor_label, action, object_type,
                           object_id, data, n)
),
numbered (n, seq, at, prev_hash, hash) AS (
    SELECT 0::bigint, head.seq, head.at, ''::text, head.hash::text FROM head
    UNION ALL
    SELECT b.n, r.seq + 1, GREATEST(b.at, r.at), r.hash,
           encode(sha256(convert_to(
               b.before_at
               || to_char(GREATEST(b.at, r.at) AT TIME ZONE 'UTC',
                          'YYYY-MM-DD"T"HH24:MI:SS.US')
               || '+00:00' || b.before_prev || r.hash
               || '","seq":' || (r.seq + 1)::text || '}', 'UTF8')), 'hex')
      FROM numbered AS r JOIN batch AS b ON b.n = r.n + 1
),
moved AS (
    UPDATE counter_auditchainhead AS h
       SET seq = last.seq, at = last.at, prev_hash = last.prev_hash,
           hash = last.hash
      FROM numbered AS last
     WHERE h.chain = %(chain)s AND last.n = %(count)s
)
INSERT INTO counter_auditevent (
    chain, seq, created_at, municipality_id, office_id, desk_id, case_id,
    actor_id, actor_label, action, object_type, object_id, data, prev_hash, hash)
SELECT %(chain)s, r.seq, r.at, b.municipality, b.office, b.desk, b.case_id,
       b.actor, b.actor_label, b.action, b.object_type, b.object_id,
       b.data::jsonb, r.prev_hash, r.hash
  FROM numbered AS r JOIN batch AS b ON b.n = r.n
 ORDER BY r.n
RETURNING id, seq, created_at, prev_hash, hash
"""


def _append_chain(chain: int, rows: list[AuditEvent]) -> None:
    """One chain's part of a batch, one statement (PostgreSQL)."""
    texts = [hash_text_around(event) for event in rows]
    params: dict[str, Any] = {
        "chain": chain,
        "count": len(rows),
        "before_at": [t[0] for t in texts],
        "before_prev": [t[1] for t in texts],
        "at": [e.created_at for e in rows],
        "municipality": [e.municipality_id for e in rows],
        "office": [e.office_id for e in rows],
        "desk": [e.desk_id for e in rows],
        "case": [e.case_id for e in rows],
        "actor": [e.actor_id for e in rows],
        "actor_label": [e.actor_label for e in rows],
        "action": [e.action for e in rows],
        "object_type": [e.object_type for e in rows],
        "object_id": [e.object_id for e in rows],
        "data": [json.dumps(e.data, ensure_ascii=False) for e in rows],
    }
    with prepared_cursor(connection) as cursor:
        cursor.execute(_APPEND_MANY_SQL, params)
        returned = cursor.fetchall()
        if not returned:  # no head yet: make it, then append (once per chain)
            cursor.execute(_HEAD_SQL, {"chain": chain, "genesis": GENESIS_HASH})
            cursor.execute(_APPEND_MANY_SQL, params)
            returned = cursor.fetchall()
    if len(returned) != len(rows):
        raise RuntimeError(f"audit chain {chain}: {len(returned)} of {len(rows)} rows")
    for event, row in zip(rows, sorted(returned, key=lambda r: r[1]), strict=True):
        event.pk, event.seq, event.created_at, event.prev_hash, event.hash = row
        event._state.adding = False
        event._state.db = connection.alias


def append_many(events: Sequence[AuditEvent]) -> None:
    """Append a batch (all but seq, time and hashes set on each event).

    Per chain, in chain order (two batches never wait for each other in opposite
    orders): on PostgreSQL one statement locks the head, numbers, hashes and
    inserts every row and sets the head; elsewhere the head is locked and the
    numbers reserved, the hashes computed here, the rows inserted, the head set.
    """
    by_chain = groupby(sorted(events, key=lambda e: e.chain), key=lambda e: e.chain)
    with transaction.atomic(savepoint=False):
        for chain, group in by_chain:
            rows = list(group)
            if connection.vendor == "postgresql":
                _append_chain(chain, rows)
                continue
            seq, prev, at = _reserve(chain, len(rows))
            for event in rows:
                seq += 1
                at = max(event.created_at, at) if at is not None else event.created_at
                event.seq, event.created_at, event.prev_hash = seq, at, prev
                event.hash = prev = compute_hash(event)
            AuditEvent.objects.bulk_create(rows)
            last = rows[-1]
            AuditChainHead.objects.filter(pk=chain).update(
                seq=last.seq,
                hash=last.hash,
                prev_hash=last.prev_hash,
                at=last.created_at,
            )


# Locks the head and takes n numbers; gives the head as it was (prev_hash keeps
# the old hash until the batch sets the head).
_RESERVE_SQL = """
UPDATE counter_auditchainhead AS h
   SET seq = h.seq + %(n)s, prev_hash = h.hash
 WHERE h.chain = %(chain)s
RETURNING h.seq - %(n)s, h.prev_hash, nullif(h.at, '-infinity')
"""


def _reserve(chain: int, n: int) -> tuple[int, str, Any]:
    """Lock the chain's head and take ``n`` numbers: (seq, hash, time) before."""
    if connection.vendor != "postgresql":  # SQLite (the demo): writers serialised
        head = AuditChainHead.objects.filter(pk=chain).first()
        if head is None:
            last = AuditEvent.objects.filter(chain=chain).order_by("-seq").first()
            head = AuditChainHead(
                chain=chain,
                seq=last.seq if last else 0,
                hash=last.hash if last else GENESIS_HASH,
                prev_hash=last.prev_hash if last else GENESIS_HASH,
                at=last.created_at if last else _BEFORE_ANY_ROW,
            )
        before = (head.seq, head.hash, None if head.at == _BEFORE_ANY_ROW else head.at)
        head.seq += n
        head.save()
        return before
    with prepared_cursor(connection) as cursor:
        cursor.execute(_RESERVE_SQL, {"chain": chain, "n": n})
        row = cursor.fetchone()
        if row is None:
            cursor.execute(_HEAD_SQL, {"chain": chain, "genesis": GENESIS_HASH})
            cursor.execute(_RESERVE_SQL, {"chain": chain, "n": n})
            row = cursor.fetchone()
    return int(row[0]), str(row[1]), row[2]
