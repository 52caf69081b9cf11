"""Give every role the permissions of all apps once their models exist."""

from django.db import migrations


def sync(apps, schema_editor):
    from counter.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0005_case_certificate_plan"),
        ("identity_docs", "0002_seed_catalogue_and_rules"),
        ("jpki_ops", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
