"""The letter row is the outbox: when its render message was last published, and
the profile's threshold (minutes) after which a queued letter is published again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0010_help_texts_cite_docs_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="inquiryletter",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text=(
                    "The letter row is the outbox: a queued letter whose message is "
                    "older than the profile's threshold is published again."
                ),
                null=True,
                verbose_name="render message last published",
            ),
        ),
        migrations.AddField(
            model_name="municipalprofile",
            name="letter_requeue_after_minutes",
            field=models.PositiveSmallIntegerField(
                default=10,
                help_text=(
                    "A letter still waiting for rendering this long after its "
                    "message was sent gets a new message, so a lost message never "
                    "keeps it from the next print run."
                ),
                verbose_name="queued letter is published again after (minutes)",
            ),
        ),
    ]
