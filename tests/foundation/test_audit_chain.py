"""The audit trail is append-only and hash-chained; tampering is found."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from counter.audit import audit_record, verify_chain
from counter.models import AppendOnlyError, AuditEvent


@pytest.fixture
def chain(city):
    for n in range(5):
        audit_record(
            action="test_event", municipality=city, data={"n": n, "名": "山田"}
        )
    return list(AuditEvent.objects.order_by("seq"))


def _raw(sql, params=()):
    """A database superuser bypassing the guard trigger, as an attacker with
    direct database access would."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def test_each_event_links_to_the_previous_one(chain):
    assert [e.seq for e in chain][-5:] == list(range(chain[-5].seq, chain[-5].seq + 5))
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    assert list(verify_chain()) == []
    call_command("verify_audit_chain")


def test_a_changed_row_is_found(chain):
    victim = chain[2]
    _raw(
        "UPDATE counter_auditevent SET data = %s WHERE id = %s",
        ['{"n": 99, "名": "山田"}', victim.pk],
    )
    problems = list(verify_chain())
    assert [(p.seq, p.kind) for p in problems] == [(victim.seq, "changed")]
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("verify_audit_chain")


def test_a_deleted_row_is_found(chain):
    victim = chain[3]
    _raw("DELETE FROM counter_auditevent WHERE id = %s", [victim.pk])
    problems = list(verify_chain())
    assert problems[0].kind == "missing"
    assert problems[0].seq == victim.seq + 1


def test_a_rewritten_row_with_a_fresh_hash_breaks_the_next_link(chain):
    from counter.audit import compute_hash

    victim = chain[1]
    victim.actor_label = "someone else"
    new_hash = compute_hash(victim)
    _raw(
        "UPDATE counter_auditevent SET actor_label = %s, hash = %s WHERE id = %s",
        [victim.actor_label, new_hash, victim.pk],
    )
    problems = list(verify_chain())
    assert (chain[2].seq, "relinked") in [(p.seq, p.kind) for p in problems]


def test_the_database_refuses_updates_and_deletes(chain):
    for statement in (
        "UPDATE counter_auditevent SET action = 'x'",
        "DELETE FROM counter_auditevent",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_the_orm_refuses_updates_and_deletes(chain):
    event = chain[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_an_event_recorded_after_a_rolled_back_change_survives(city):
    class Refused(Exception):
        pass

    before = AuditEvent.objects.count()
    try:
        with transaction.atomic():
            audit_record(action="inside_rolled_back", municipality=city)
            raise Refused
    except Refused:
        audit_record(action="refusal_recorded", municipality=city)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-1] == "refusal_recorded"
    assert "inside_rolled_back" not in actions
    assert AuditEvent.objects.count() == before + 1
    assert list(verify_chain()) == []


def test_audit_records_who_which_desk_and_office(city, office, make_staff):
    from counter.models import Desk
    from counter.roles import ROLE_CLERK

    desk = Desk.objects.create(office=office, code="d9", name="9番")
    clerk = make_staff("clerk9", ROLE_CLERK, city, office)
    event = audit_record(action="card_read", actor=clerk, desk=desk)
    assert (event.actor, event.actor_label) == (clerk, "clerk9")
    assert (event.desk, event.office, event.municipality) == (desk, office, city)
