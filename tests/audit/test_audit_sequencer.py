"""The audit sequencer (ADR 0019): one statement per append, the same hash as the
verifier computes, no gap or fork under concurrent writers, one city's writer never
holding up another's, and a lost or tampered head found or rebuilt."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from counter.audit import audit_batch, audit_record, compute_hash, verify_chain
from counter.models import AuditChainHead, AuditEvent
from tests import factories as f


def _append(city: Any, n: int = 0, **extra: Any) -> AuditEvent:
    return audit_record(action="test_event", municipality=city, data={"n": n, **extra})


def test_an_append_is_one_statement_once_the_chain_has_a_head(city):
    _append(city)
    with CaptureQueriesContext(connection) as queries:
        _append(city, 1)
    assert len(queries) == 1, [q["sql"][:80] for q in queries]


def test_the_database_hashes_exactly_what_the_verifier_hashes(city, clerk, desk):
    case = f.CaseFactory(resident=f.ResidentFactory(municipality=city))
    event = audit_record(
        action="case_viewed",
        actor=clerk,
        desk=desk,
        case=case,
        obj=case,
        data={"名前": "山田 太郎", "nested": {"b": [1, 2.5, None], "a": "\"'\\"}},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.hash == event.hash == compute_hash(stored)
    assert (stored.seq, stored.prev_hash, stored.created_at) == (
        event.seq,
        event.prev_hash,
        event.created_at,
    )
    assert (stored.municipality_id, stored.office_id, stored.desk_id) == (
        city.pk,
        desk.office_id,
        desk.pk,
    )
    assert list(verify_chain()) == []


def test_a_lost_head_is_rebuilt_from_the_chains_last_row(city):
    events = [_append(city, n) for n in range(3)]
    AuditChainHead.objects.filter(chain=city.pk).delete()
    after = _append(city, 3)
    assert after.seq == events[-1].seq + 1
    assert after.prev_hash == events[-1].hash
    assert list(verify_chain()) == []


def test_a_tampered_head_makes_the_next_row_show_as_relinked(city):
    _append(city)
    AuditChainHead.objects.filter(chain=city.pk).update(hash="f" * 64)
    victim = _append(city, 1)
    problems = [(p.chain, p.seq, p.kind) for p in verify_chain()]
    assert problems == [(city.pk, victim.seq, "relinked")]


def test_a_rows_time_is_never_before_the_row_it_follows(city):
    first = _append(city)
    ahead = first.created_at + dt.timedelta(hours=1)
    AuditChainHead.objects.filter(chain=city.pk).update(at=ahead)
    second = _append(city, 1)
    assert second.created_at == ahead
    assert AuditEvent.objects.get(pk=second.pk).created_at == ahead
    assert list(verify_chain()) == []


def test_each_municipality_has_its_own_head(city):
    other = f.MunicipalityFactory()
    _append(city)
    _append(other)
    _append(city, 1)
    heads = dict(AuditChainHead.objects.values_list("chain", "seq"))
    tops = {
        chain: AuditEvent.objects.filter(chain=chain).order_by("-seq").first()
        for chain in (city.pk, other.pk)
    }
    assert heads[city.pk] == tops[city.pk].seq
    assert heads[other.pk] == tops[other.pk].seq


def _threaded(target: Any, n: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_over_four_cities_leave_no_gap_and_no_fork():
    cities = [f.MunicipalityFactory() for _ in range(4)]
    per_writer = 15
    before = {c.pk: AuditEvent.objects.filter(chain=c.pk).count() for c in cities}

    def writer(i: int) -> None:
        city = cities[i % 4]
        for n in range(per_writer):
            with transaction.atomic():
                _append(city, n, writer=i)

    assert _threaded(writer, 12) == []
    assert list(verify_chain()) == []
    for city in cities:
        seqs = list(
            AuditEvent.objects.filter(chain=city.pk)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert seqs == list(range(1, before[city.pk] + 3 * per_writer + 1))
        assert AuditChainHead.objects.get(chain=city.pk).seq == seqs[-1]


@pytest.mark.django_db(transaction=True)
def test_a_writer_holding_its_chain_does_not_hold_up_another_city():
    """One city's writer appends and stalls before COMMIT: another city appends at
    once; a writer of the same city waits (the chain is never forked)."""
    stalled, other = f.MunicipalityFactory(), f.MunicipalityFactory()
    _append(stalled)
    _append(other)
    holding, release = threading.Event(), threading.Event()

    def holder(_: int) -> None:
        with transaction.atomic():
            _append(stalled, 1)
            holding.set()
            release.wait(20)

    thread = threading.Thread(target=_threaded, args=(holder, 1))
    thread.start()
    try:
        assert holding.wait(20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            _append(other, 1)  # not held up
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            _append(stalled, 2)  # waits for the holder's COMMIT
    finally:
        release.set()
        thread.join(30)
    _append(stalled, 3)
    assert list(verify_chain()) == []


def test_a_batch_is_one_statement_per_chain_whatever_its_size(city):
    other = f.MunicipalityFactory()
    _append(city)
    _append(other)
    with CaptureQueriesContext(connection) as queries, audit_batch():
        events = [_append(city if n % 2 else other, n) for n in range(40)]
        assert all(e.pk is None for e in events)  # numbered when the batch ends
    assert len(queries) == 2, [q["sql"][:60] for q in queries]
    assert list(verify_chain()) == []
    mine = [e for e in events if e.chain == city.pk]
    assert [e.data["n"] for e in mine] == list(range(1, 40, 2))  # order kept
    assert [e.seq for e in mine] == list(range(mine[0].seq, mine[0].seq + 20))
    head = AuditChainHead.objects.get(chain=city.pk)
    assert (head.seq, head.hash, head.prev_hash, head.at) == (
        mine[-1].seq,
        mine[-1].hash,
        mine[-1].prev_hash,
        mine[-1].created_at,
    )
    stored = AuditEvent.objects.filter(pk__in=[e.pk for e in mine]).order_by("seq")
    assert [(e.seq, e.hash) for e in stored] == [(e.seq, e.hash) for e in mine]


def test_a_batch_and_single_appends_share_one_chain(city):
    _append(city)
    with audit_batch():
        _append(city, 1)
        _append(city, 2)
    after = _append(city, 3)
    assert [p.kind for p in verify_chain()] == []
    assert AuditEvent.objects.get(pk=after.pk).prev_hash == after.prev_hash


def test_an_exception_inside_a_batch_appends_nothing(city):
    _append(city)
    count = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        _append(city, 1)
        raise RuntimeError("refused")
    assert AuditEvent.objects.count() == count
    _append(city, 2)
    assert list(verify_chain()) == []


def test_a_new_chains_first_batch_starts_at_one(db):
    city = f.MunicipalityFactory()
    AuditChainHead.objects.filter(chain=city.pk).delete()
    before = AuditEvent.objects.filter(chain=city.pk).count()
    with audit_batch():
        _append(city)
        _append(city, 1)
    seqs = list(
        AuditEvent.objects.filter(chain=city.pk)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, before + 3))
    assert list(verify_chain()) == []
