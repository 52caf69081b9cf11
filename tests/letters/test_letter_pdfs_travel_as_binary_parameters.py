"""A letter's PDF and a print run's PDF reach PostgreSQL as binary parameters,
not as hex literals twice their size inside the SQL text (ADR 0041): the client
escaped ≈ 66 KB per letter and the server parsed it, 0.5 ms of a letter's
≈ 19 ms on the service path (docs/capacity.md, session 13). The bytes stored are
the bytes rendered, and the connection binds on the client again afterwards."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import psycopg
import pytest
from django.db import connection

from counter.letters import services
from counter.letters.models import InquiryLetter, PrintRun

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 26)


class WritesOf:
    """The statements that wrote ``table``, with the cursor each ran on."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.seen: list[tuple[str, Any, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, ctx: Any):
        if self.table in sql and sql.lstrip().startswith(("UPDATE", "INSERT")):
            self.seen.append((sql, params, ctx["cursor"].cursor))
        return execute(sql, params, many, ctx)


def _bytes(value: Any) -> bytes | None:
    """A parameter's bytes, as Django's ``BinaryField`` hands them over."""
    if isinstance(value, psycopg.Binary):
        value = value.obj
    return bytes(value) if isinstance(value, bytes | memoryview) else None


def _binds_on_server(cursor: Any) -> bool:
    return not isinstance(cursor, psycopg.ClientCursor)


def test_a_rendered_letters_pdf_is_sent_as_a_binary_parameter(make_case):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    writes = WritesOf(InquiryLetter._meta.db_table)
    with connection.execute_wrapper(writes):
        services.letter_render(letter_id=letter.pk)

    carrying = [w for w in writes.seen if any(_bytes(p) for p in w[1])]
    assert len(carrying) == 1, [w[0][:80] for w in writes.seen]
    sql, params, cursor = carrying[0]
    assert _binds_on_server(cursor)
    assert len(sql) < 2_000  # the PDF is not in the text
    letter.refresh_from_db()
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == (
        letter.pdf_sha256
    )
    assert pdf in [_bytes(p) for p in params]


def test_a_print_runs_pdf_is_sent_as_a_binary_parameter(make_case):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    services.letter_render(letter_id=letter.pk)
    writes = WritesOf(PrintRun._meta.db_table)
    with connection.execute_wrapper(writes):
        run = services.print_run_create(municipality=letter.municipality)

    assert run is not None
    (sql, params, cursor), *_ = [
        w for w in writes.seen if w[0].lstrip().startswith("INSERT")
    ]
    assert _binds_on_server(cursor) and len(sql) < 2_000
    stored = PrintRun.objects.get(pk=run.pk)
    assert bytes(stored.pdf) == bytes(run.pdf)
    assert hashlib.sha256(bytes(stored.pdf)).hexdigest() == stored.pdf_sha256


def test_the_connection_binds_on_the_client_again_afterwards(make_case):
    letter = services.letter_request(case=make_case(), deadline=DEADLINE)
    services.letter_render(letter_id=letter.pk)
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor)


def test_a_failing_write_leaves_the_connection_binding_on_the_client():
    with pytest.raises(RuntimeError), connection.bytes_bound_on_server():
        with connection.cursor() as cursor:
            assert not isinstance(cursor.cursor, psycopg.ClientCursor)
        raise RuntimeError("the write failed")
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor)
