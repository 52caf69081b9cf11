"""Writing and verifying the hash-chained audit trail, and the access log of reads.

Call :func:`audit_record` for every state change. It joins the caller's
transaction; for a refused or failed operation, call it *after* leaving the
rolled-back ``transaction.atomic()`` block so the entry survives
(docs/reference/style.md §3.7). Never pass a PIN in ``data``.

Each municipality has its own chain, whose position is one head row (the
sequencer, :class:`~counter.models.AuditChainHead`); the installation's events
(no municipality) form chain 0. On PostgreSQL an append is one statement that
moves the head and inserts the row; the head's row lock is held to COMMIT. Take
row locks first and append last: the append locks nothing but its chain's head
(the audit table's references have no database constraint), so it cannot
deadlock with a case row lock (docs/adr/0011-audit-append-design.md,
docs/adr/0026-audit-sequencer.md). Reads go to :func:`access_record`, which
takes no chain lock at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import Histogram

from counter.models import AccessPath, AccessRecord, AuditChainHead, AuditEvent

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
INSTALLATION_CHAIN = 0


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    """What the JSON column will give back, so the hash can be recomputed later."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


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


_append_seconds: Histogram | None = None
_append_seconds_lock = threading.Lock()


def _observe_append(seconds: float) -> None:
    """Time one append, chain-lock wait included (``madoguchi_audit_append_seconds``,
    docs/operations.md). Made on first use: a management command run with the
    metrics directory not yet created has nowhere to report, and a metric must
    never stop an audit entry."""
    global _append_seconds
    try:
        with _append_seconds_lock:
            if _append_seconds is None:
                _append_seconds = Histogram(
                    "madoguchi_audit_append_seconds",
                    "Time to append one audit event: chain lock wait, head read "
                    "and insert.",
                    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10),
                )
        _append_seconds.observe(seconds)
    except OSError:
        logger.debug("audit append not timed: no metrics directory")


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    municipality: Any = None,
    office: Any = None,
    desk: Any = None,
    case: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Missing context is derived where it is implied.

    Only ids are taken from the case, desk and office given (no row is loaded
    for them); the chain is the municipality's.
    """
    if desk is not None and office is None:
        office = desk.office
    office_id = office.pk if office is not None else None
    municipality_id = municipality.pk if municipality is not None else None
    if case is not None:
        office_id = office_id or case.office_id
        municipality_id = municipality_id or case.municipality_id
    if office is not None and municipality_id is None:
        municipality_id = office.municipality_id
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor_label or actor.get_username()
        if municipality_id is None:
            profile = getattr(actor, "staff_profile", None)
            municipality_id = profile.municipality_id if profile else None
    else:
        actor = None
    event = AuditEvent(
        chain=municipality_id if municipality_id is not None else INSTALLATION_CHAIN,
        created_at=timezone.now(),
        municipality_id=municipality_id,
        office_id=office_id,
        desk_id=desk.pk if desk is not None else None,
        case_id=case.pk if case is not None else None,
        actor=actor,
        actor_label=actor_label or "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        data=_normalise(data),
    )
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        _append_in_one_statement(event)
    else:
        _append_through_the_orm(event)
    _observe_append(time.perf_counter() - started)
    return event


# ------------------------------------------------------------------ sequencer
# The chain's position is its head row (AuditChainHead). One statement moves the
# head and inserts the row: the head's row lock is taken, the previous hash read,
# the new hash computed by PostgreSQL over the same JSON text compute_hash()
# hashes, and the row inserted, in one round trip and without a savepoint
# (docs/adr/0026-audit-sequencer.md). The time of a row is never before the time
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


def _append_in_one_statement(event: AuditEvent) -> None:
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
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        row = cursor.fetchone()
        if row is None:  # no head yet: make it, then append (once per chain)
            cursor.execute(_HEAD_SQL, {"chain": event.chain, "genesis": GENESIS_HASH})
            cursor.execute(_APPEND_SQL, params)
            row = cursor.fetchone()
    event.pk, event.seq, event.created_at, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias


def _append_through_the_orm(event: AuditEvent) -> None:
    """The same sequencer for SQLite (the demo), whose writers are serialised."""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=event.chain).first()
        if head is None:
            last = AuditEvent.objects.filter(chain=event.chain).order_by("-seq").first()
            head = AuditChainHead(
                chain=event.chain,
                seq=last.seq if last else 0,
                hash=last.hash if last else GENESIS_HASH,
                prev_hash=last.prev_hash if last else GENESIS_HASH,
                at=last.created_at if last else event.created_at,
            )
        event.seq = head.seq + 1
        event.created_at = max(event.created_at, head.at)
        event.prev_hash = head.hash
        event.hash = compute_hash(event)
        event.save()
        head.seq, head.at = event.seq, event.created_at
        head.prev_hash, head.hash = event.prev_hash, event.hash
        head.save()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "changed", "missing", "relinked", "misplaced"
    detail: str
    chain: int = INSTALLATION_CHAIN


def verify_chain(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Recompute every hash and link of every chain; yield each place one is broken."""
    chain = -1  # no chain yet
    expected_seq, prev_hash = 1, GENESIS_HASH
    rows = AuditEvent.objects.order_by("chain", "seq").iterator(chunk_size=batch_size)
    for event in rows:
        if event.chain != chain:
            chain, expected_seq, prev_hash = event.chain, 1, GENESIS_HASH
        where = f"chain {chain}: #{event.seq}"
        if event.seq != expected_seq:
            yield ChainProblem(
                event.seq,
                "missing",
                f"chain {chain}: rows {expected_seq}–{event.seq - 1} are missing "
                f"before #{event.seq}",
                chain,
            )
        elif event.prev_hash != prev_hash:
            yield ChainProblem(
                event.seq, "relinked", f"{where} does not link to the row before", chain
            )
        if chain != INSTALLATION_CHAIN and event.municipality_id != chain:
            yield ChainProblem(
                event.seq, "misplaced", f"{where} belongs to another chain", chain
            )
        if compute_hash(event) != event.hash:
            yield ChainProblem(
                event.seq, "changed", f"{where} was changed after it was written", chain
            )
        expected_seq = event.seq + 1
        prev_hash = event.hash


def chain_heads() -> dict[int, tuple[int, str]]:
    """Each chain's last row as (seq, hash), read without any lock."""
    heads: dict[int, tuple[int, str]] = {}
    last_seq = (
        AuditEvent.objects.values("chain").annotate(top=models.Max("seq")).order_by()
    )
    tops = {row["chain"]: row["top"] for row in last_seq}
    for chain, seq, hash_ in AuditEvent.objects.filter(
        seq__in=set(tops.values()), chain__in=list(tops)
    ).values_list("chain", "seq", "hash"):
        if tops[chain] == seq:
            heads[chain] = (seq, hash_)
    return heads


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
    return AccessRecord.objects.create(
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


def access_record_many(
    request: HttpRequest, path: AccessPath | str, residents: Any, *, desk: Any = None
) -> int:
    """One access entry per resident shown in a list (search results), in one insert."""
    actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    now = timezone.now()
    url = request.get_full_path()[:300]
    rows = [
        AccessRecord(
            at=now,
            municipality_id=resident.municipality_id,
            actor=actor,
            actor_label=actor.get_username() if actor is not None else "anonymous",
            desk=desk,
            resident_id=resident.pk,
            path=str(path),
            url=url,
            object_type=resident._meta.label_lower,
            object_id=str(resident.pk),
        )
        for resident in residents
    ]
    AccessRecord.objects.bulk_create(rows)
    return len(rows)
