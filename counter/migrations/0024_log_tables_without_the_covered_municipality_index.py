"""The access log and the audit trail lose their single-column municipality index
(issue 14; docs/capacity.md, "The floor's own work").

Both tables have composite indexes that lead with the municipality
((municipality, resident, at) and (municipality, actor, at); (municipality,
created_at) and (municipality, seq, id)), which serve every lookup by it; the
single-column index was one more index written on every row, the tables the
installation writes most. The references carry no database constraint, so no
foreign-key check needs it either. A ``DROP INDEX``: no row is touched.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0023_letter_pdfs_stored_uncompressed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessrecord",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="counter.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="counter.municipality",
                verbose_name="municipality",
            ),
        ),
    ]
