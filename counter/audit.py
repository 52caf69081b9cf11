"""Writing and verifying the hash-chained audit trail.

Call :func:`audit_record` for every state change and for reads of sensitive data.
It joins the caller's transaction; for a refused or failed operation, call it
*after* leaving the rolled-back ``transaction.atomic()`` block so the entry
survives (docs/reference/style.md §3.7). Never pass a PIN in ``data``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from counter.models import AuditEvent

GENESIS_HASH = "0" * 64
# Any constant works; it names the lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_270_001


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


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


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
    """Append one event to the chain. Missing context is derived where it is implied."""
    if desk is not None and office is None:
        office = desk.office
    if case is not None:
        office = office or case.office
        municipality = municipality or case.municipality
    if office is not None and municipality is None:
        municipality = office.municipality
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor_label or actor.get_username()
        if municipality is None:
            profile = getattr(actor, "staff_profile", None)
            municipality = profile.municipality if profile else None
    else:
        actor = None
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        event = AuditEvent(
            seq=(last.seq + 1) if last else 1,
            created_at=timezone.now(),
            municipality=municipality,
            office=office,
            desk=desk,
            case=case,
            actor=actor,
            actor_label=actor_label or "system",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            data=_normalise(data),
            prev_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "changed", "missing", "relinked"
    detail: str


def verify_chain(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Recompute every hash and link; yield each place the chain is broken."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in rows:
        if event.seq != expected_seq:
            yield ChainProblem(
                event.seq,
                "missing",
                f"rows {expected_seq}–{event.seq - 1} are missing before #{event.seq}",
            )
        elif event.prev_hash != prev_hash:
            yield ChainProblem(
                event.seq, "relinked", f"#{event.seq} does not link to the row before"
            )
        if compute_hash(event) != event.hash:
            yield ChainProblem(
                event.seq, "changed", f"#{event.seq} was changed after it was written"
            )
        expected_seq = event.seq + 1
        prev_hash = event.hash
