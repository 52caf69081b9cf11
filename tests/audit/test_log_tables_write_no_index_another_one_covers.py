"""The access log and the audit trail, the tables written on every read and every
step, keep no index whose columns are the leading columns of another index of
the same table: such an index serves no lookup the other does not, and is one
more index written on every row (issue 14; migration 0024)."""

from __future__ import annotations

import pytest
from django.db import connection

from counter.models import AccessRecord, AuditEvent

pytestmark = pytest.mark.django_db


def _plain_btree_indexes(table: str) -> dict[str, tuple[str, ...]]:
    """Each non-unique, non-partial btree index on plain columns (default
    operator class): name -> its columns in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, array_agg(a.attname ORDER BY k.ord)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_am am ON am.oid = i.relam
            CROSS JOIN LATERAL unnest(x.indkey, x.indclass)
                WITH ORDINALITY AS k(attnum, opclass, ord)
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            JOIN pg_opclass oc ON oc.oid = k.opclass
            WHERE t.relname = %s AND am.amname = 'btree'
              AND NOT x.indisunique AND x.indpred IS NULL AND oc.opcdefault
            GROUP BY i.relname
            """,
            [table],
        )
        return {name: tuple(columns) for name, columns in cursor.fetchall()}


@pytest.mark.parametrize("model", [AccessRecord, AuditEvent])
def test_no_index_is_the_leading_columns_of_another(model):
    indexes = _plain_btree_indexes(model._meta.db_table)
    assert indexes, "the table's indexes were read"
    covered = [
        (name, columns, other)
        for name, columns in indexes.items()
        for other, longer in indexes.items()
        if other != name
        and len(longer) > len(columns)
        and longer[: len(columns)] == columns
    ]
    assert covered == []


@pytest.mark.parametrize("model", [AccessRecord, AuditEvent])
def test_a_lookup_by_municipality_still_has_an_index(model):
    indexes = _plain_btree_indexes(model._meta.db_table)
    leading = {columns[0] for columns in indexes.values()}
    assert "municipality_id" in leading
