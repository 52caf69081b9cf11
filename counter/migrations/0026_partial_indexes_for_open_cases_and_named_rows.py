"""Partial indexes where most rows have nothing to index (issue 14;
docs/adr/0038-a-read-logged-by-its-own-statement.md, "Indexes").

- The access log's desk and case: the API's reads name no desk and a search no
  case, yet every row was written into both indexes. They are now indexed where
  given; a lookup by a desk or a case (the admin, Django's PROTECT check) implies
  the condition and still uses them.
- The queue's cases carried over from earlier days (open, touched today) were
  found by intersecting every case touched today with every open case; an index
  of the open cases by their last change finds them directly.

Built CONCURRENTLY before the old indexes are dropped, so a live installation
keeps writing its access log throughout (PostgreSQL); the demo's SQLite builds
them plainly.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OPEN_STATES = (
    "received",
    "awaiting_approval",
    "documents_checked",
    "awaiting_second_visit",
    "card_operation",
    "ready_to_complete",
)
_OPEN = ", ".join(f"'{state}'" for state in OPEN_STATES)
NEW = {
    "access_desk_given": (
        "counter_accessrecord",
        "(desk_id) WHERE desk_id IS NOT NULL",
    ),
    "access_case_given": (
        "counter_accessrecord",
        "(case_id) WHERE case_id IS NOT NULL",
    ),
    "case_open_municipality_updated": (
        "counter_case",
        f"(municipality_id, updated_at) WHERE state IN ({_OPEN})",
    ),
}
#: The whole-column indexes Django made for the two references.
OLD = [("counter_accessrecord", "desk_id"), ("counter_accessrecord", "case_id")]


def _old_names(schema_editor):  # type: ignore[no-untyped-def]
    return [
        schema_editor._create_index_name(table, [column], suffix="")
        for table, column in OLD
    ]


def _concurrently(schema_editor) -> str:  # type: ignore[no-untyped-def]
    """PostgreSQL builds and drops without blocking writes; SQLite cannot."""
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def _create(schema_editor, names):  # type: ignore[no-untyped-def]
    concurrently = _concurrently(schema_editor)
    for name in names:
        table, definition = NEW[name]
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} {definition}"
        )


def _drop(schema_editor, names):  # type: ignore[no-untyped-def]
    concurrently = _concurrently(schema_editor)
    for name in names:
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _create(schema_editor, list(NEW))
    _drop(schema_editor, _old_names(schema_editor))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = _concurrently(schema_editor)
    for (table, column), name in zip(OLD, _old_names(schema_editor), strict=True):
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} ({column})"
        )
    _drop(schema_editor, list(NEW))


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("counter", "0025_resident_search_columns_stored"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="accessrecord",
                    name="case",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="counter.case",
                        verbose_name="case",
                    ),
                ),
                migrations.AlterField(
                    model_name="accessrecord",
                    name="desk",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="counter.desk",
                        verbose_name="desk",
                    ),
                ),
                migrations.AddIndex(
                    model_name="accessrecord",
                    index=models.Index(
                        condition=models.Q(("desk__isnull", False)),
                        fields=["desk"],
                        name="access_desk_given",
                    ),
                ),
                migrations.AddIndex(
                    model_name="accessrecord",
                    index=models.Index(
                        condition=models.Q(("case__isnull", False)),
                        fields=["case"],
                        name="access_case_given",
                    ),
                ),
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(
                        condition=models.Q(("state__in", OPEN_STATES)),
                        fields=["municipality", "updated_at"],
                        name="case_open_municipality_updated",
                    ),
                ),
            ],
        )
    ]
