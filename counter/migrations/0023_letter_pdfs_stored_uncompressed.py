"""The letters' and print runs' PDFs are stored without PostgreSQL's compression
(ADR 0028, addendum).

A PDF's streams are already deflated: PostgreSQL's default storage tried to
compress every stored letter again (pglz), found nothing to gain and stored it
as it came, for ≈ 0.4 ms of the database's CPU per letter. ``EXTERNAL`` stores
the value out of line, uncompressed, as before. Only a catalogue change (rows
already written stay as they are); the demo's SQLite has no such setting.
"""

from django.db import migrations

COLUMNS = (("counter_inquiryletter", "pdf"), ("counter_printrun", "pdf"))


def _storage(kind: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE {kind}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("counter", "0022_access_path_admin_search")]

    operations = [
        migrations.RunPython(_storage("EXTERNAL"), _storage("EXTENDED")),
    ]
