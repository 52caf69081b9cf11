"""A card operation keeps an append-only history of its states, like a case.

Every state change runs through the one transition runner (counter.transitions),
which writes the history row next to the audit entry; neither the ORM nor SQL may
change or remove a written row.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from counter.models import AppendOnlyError
from jpki_ops import services
from jpki_ops.models import CardOperationStatusChange
from tests.factories import DeskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_operation():
    desk = DeskFactory()
    op = services.card_operation_request(
        desk=desk, kind="read_card", idempotency_key="history"
    )
    claimed = services.card_operation_claim(desk=desk, agent_session="s1")
    assert claimed is not None and claimed.pk == op.pk
    return services.card_operation_complete(
        operation_id=op.pk, desk=desk, agent_session="s1", result={"token": "x"}
    )


def test_requested_claimed_succeeded_leaves_one_row_per_state(finished_operation):
    rows = list(
        CardOperationStatusChange.objects.filter(
            operation=finished_operation
        ).values_list("from_state", "to_state", "transition")
    )
    assert rows == [
        ("", "requested", "requested"),
        ("requested", "claimed", "claimed"),
        ("claimed", "succeeded", "succeeded"),
    ]
    claimed = finished_operation.history.get(transition="claimed")
    assert claimed.actor is None and claimed.actor_label.startswith("desk-agent:")


def test_the_orm_refuses_to_change_a_history_row(finished_operation):
    row = finished_operation.history.first()
    row.to_state = "failed"
    with pytest.raises(AppendOnlyError):
        row.save()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE jpki_ops_cardoperationstatuschange SET to_state = 'failed'",
        "DELETE FROM jpki_ops_cardoperationstatuschange",
    ],
)
def test_the_database_refuses_updates_and_deletes(finished_operation, statement):
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert finished_operation.history.count() == 3


def test_an_orm_delete_is_refused_by_the_database(finished_operation):
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        finished_operation.history.first().delete()
    assert finished_operation.history.count() == 3
