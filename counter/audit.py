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
docs/adr/0024-audit-sequencer.md). Reads go to :mod:`counter.access_log`, which
takes no chain lock at all.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from prometheus_client import Histogram

# The access log of reads lives in counter/access_log.py; its names are kept
# here, where every caller of the audit trail already looks.
from counter.access_log import (
    ReadLog,
    ShownColumns,
    access_record,
    access_record_many,
    access_record_residents,
    read_log,
)
from counter.audit_chain import (
    GENESIS_HASH,
    append_many,
    append_one,
    compute_hash,
)
from counter.models import AuditEvent

logger = logging.getLogger(__name__)

INSTALLATION_CHAIN = 0


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    """What the JSON column will give back, so the hash can be recomputed later."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


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
    pending = _batch.pending
    if pending is not None:
        pending.append(event)  # numbered and hashed when the batch ends
        return event
    started = time.perf_counter()
    append_one(event)
    _observe_append(time.perf_counter() - started)
    return event


class _Batch(threading.local):
    pending: list[AuditEvent] | None = None


_batch = _Batch()


@contextmanager
def audit_batch() -> Iterator[None]:
    """Every :func:`audit_record` inside is appended when the block ends, in one
    batch (one statement per chain, however many entries), and in the order
    recorded. Use it inside the caller's transaction, around a loop of state
    changes (a print run); the entries returned inside get their number and hash
    only at the end. An exception inside discards them with the transaction.
    """
    if _batch.pending is not None:  # nested: the outer batch appends them
        yield
        return
    _batch.pending = []
    try:
        yield
        events = _batch.pending
    finally:
        _batch.pending = None
    started = time.perf_counter()
    append_many(events)
    _observe_append(time.perf_counter() - started)


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


__all__ = [
    "ReadLog",
    "ShownColumns",
    "access_record",
    "access_record_many",
    "access_record_residents",
    "audit_batch",
    "audit_record",
    "chain_heads",
    "read_log",
    "verify_chain",
]
