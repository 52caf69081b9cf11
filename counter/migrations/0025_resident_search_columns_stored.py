"""The reception search's forms of the name, substitute name and kana stored in
the row (docs/adr/0036-search-columns-stored.md).

Each is a generated column: PostgreSQL (and the demo's SQLite) computes it from
the row on every write, so no code path can leave it stale. The trigram indexes
of migration 0014 were on the same expressions; they move to the columns, built
CONCURRENTLY before the old ones are dropped so a live installation keeps its
search fast throughout. Adding the columns rewrites the resident table once.
"""

import django.db.models.functions.text
from django.db import migrations, models

SPACES = "REPLACE(REPLACE({col}, ' ', ''), '\u3000', '')"
OLD = {
    "resident_name_flat_trgm": f"UPPER({SPACES.format(col='name')})",
    "resident_name_substitute_flat_trgm": f"UPPER({SPACES.format(col='name_substitute')})",
    "resident_name_kana_flat_trgm": SPACES.format(col="name_kana"),
}
NEW = {
    "resident_name_flat_col_trgm": "name_flat",
    "resident_name_substitute_flat_col_trgm": "name_substitute_flat",
    "resident_name_kana_flat_col_trgm": "name_kana_flat",
}


def _on_postgresql(*statements: str):  # type: ignore[no-untyped-def]
    """PostgreSQL's indexes; the demo's SQLite has no CONCURRENTLY, no trigram."""

    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


def _create(indexes: dict[str, str]) -> list[str]:
    return [
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON counter_resident "
        f"USING gin ({expression} gin_trgm_ops)"
        for name, expression in indexes.items()
    ]


def _drop(indexes: dict[str, str]) -> list[str]:
    return [f"DROP INDEX CONCURRENTLY IF EXISTS {name}" for name in indexes]


def _flat(field: str, upper: bool) -> models.GeneratedField:
    text = django.db.models.functions.text
    squeezed = text.Replace(
        text.Replace(models.F(field), models.Value(" "), models.Value("")),
        models.Value("\u3000"),
        models.Value(""),
    )
    return models.GeneratedField(
        db_persist=True,
        expression=text.Upper(squeezed) if upper else squeezed,
        output_field=models.TextField(),
    )


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("counter", "0024_log_tables_without_the_covered_municipality_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident", name="name_flat", field=_flat("name", True)
        ),
        migrations.AddField(
            model_name="resident",
            name="name_kana_flat",
            field=_flat("name_kana", False),
        ),
        migrations.AddField(
            model_name="resident",
            name="name_substitute_flat",
            field=_flat("name_substitute", True),
        ),
        migrations.RunPython(
            _on_postgresql(*_create(NEW), *_drop(OLD)),
            _on_postgresql(*_create(OLD), *_drop(NEW)),
        ),
    ]
