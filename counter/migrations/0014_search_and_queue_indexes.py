"""Indexes for reception search and the day's queue at a prefecture's scale
(docs/adr/0014-search-and-queue-indexes.md).

Trigram (pg_trgm) GIN indexes on exactly the expressions the reception search
filters on (the name without spaces, upper-cased; the kana without spaces), so a
full name, a rare name or no hit no longer scans every resident; and
(municipality, created_at) / (municipality, updated_at) for the queue's
sargable day ranges. Built CONCURRENTLY so a live installation keeps writing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SPACES = "REPLACE(REPLACE({col}, ' ', ''), '\u3000', '')"
INDEXES = {
    "resident_name_flat_trgm": f"gin (UPPER({SPACES.format(col='name')}) gin_trgm_ops)",
    "resident_name_substitute_flat_trgm": (
        f"gin (UPPER({SPACES.format(col='name_substitute')}) gin_trgm_ops)"
    ),
    "resident_name_kana_flat_trgm": (
        f"gin ({SPACES.format(col='name_kana')} gin_trgm_ops)"
    ),
}
RESIDENT_INDEXES = {
    # The search's fourth arm (register_id = query); an OR can use indexes only
    # when every arm has one.
    "resident_register_id": "(register_id)",
}
CASE_INDEXES = {
    "case_municipality_created_at": "(municipality_id, created_at)",
    "case_municipality_updated_at": "(municipality_id, updated_at)",
}


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    """PostgreSQL's index; the demo's SQLite has no CONCURRENTLY, no trigram."""

    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def _create(table: str, indexes: dict[str, str]) -> list[migrations.RunPython]:
    return [
        migrations.RunPython(
            _on_postgresql(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
                + (f"USING {how}" if how.startswith("gin") else how)
            ),
            _on_postgresql(f"DROP INDEX CONCURRENTLY IF EXISTS {name}"),
        )
        for name, how in indexes.items()
    ]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("counter", "0013_profile_session_and_second_factor")]

    operations = [
        TrigramExtension(),
        *_create("counter_resident", INDEXES),
        *_create("counter_resident", RESIDENT_INDEXES),
        *_create("counter_case", CASE_INDEXES),
    ]
