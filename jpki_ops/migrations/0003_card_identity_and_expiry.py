import django.db.models.deletion
import django_fsm
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jpki_ops", "0002_card_operation_history"),
        ("counter", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cardoperation",
            name="state",
            field=django_fsm.FSMField(
                choices=[
                    ("requested", "Requested"),
                    ("claimed", "Running at the desk"),
                    ("succeeded", "Succeeded"),
                    ("failed", "Failed"),
                    ("timed_out", "Timed out"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Expired before the desk agent took it"),
                ],
                db_index=True,
                default="requested",
                max_length=20,
                protected=True,
                verbose_name="state",
            ),
        ),
        migrations.CreateModel(
            name="CardManufactureRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "manufacture_id",
                    models.CharField(
                        max_length=32,
                        unique=True,
                        verbose_name="manufacture identifier",
                    ),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="recorded"),
                ),
                (
                    "card",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="manufacture_record",
                        to="counter.card",
                        verbose_name="card",
                    ),
                ),
            ],
            options={
                "verbose_name": "card manufacture record",
                "verbose_name_plural": "card manufacture records",
            },
        ),
    ]
