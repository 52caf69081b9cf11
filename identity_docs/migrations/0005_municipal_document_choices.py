"""Each municipality's document choices become its own rows.

The national catalogue stays shared and shipped; today's shared values of
``accepted``, ``document_class`` and ``active`` are copied into one
DocumentChoice row per municipality and kind, so no city accepts anything
different afterwards. The roles get the new model's permissions, and the
register integration loses resident search and the console (it reaches only the
register-event endpoint).
"""

import django.db.models.deletion
from django.db import migrations, models

CHOICE_PERMISSIONS = {
    "clerk": ["identity_docs.view_documentchoice"],
    "supervisor": [
        "identity_docs.view_documentchoice",
        "identity_docs.change_documentchoice",
    ],
    "auditor": ["identity_docs.view_documentchoice"],
}
WITHDRAWN = {
    "register_integration": [
        ("counter", "view_resident"),
        ("counter", "view_all_offices"),
    ],
}


def copy_shared_choices(apps, schema_editor):
    municipality_model = apps.get_model("counter", "Municipality")
    kind_model = apps.get_model("identity_docs", "IdentityDocumentKind")
    choice_model = apps.get_model("identity_docs", "DocumentChoice")
    kinds = list(kind_model.objects.filter(municipality__isnull=True))
    rows = [
        choice_model(
            municipality=municipality,
            kind=kind,
            accepted=kind.accepted,
            document_class=kind.document_class,
            active=kind.active,
        )
        for municipality in municipality_model.objects.all()
        for kind in kinds
    ]
    choice_model.objects.bulk_create(rows, ignore_conflicts=True)


def roles(apps, schema_editor):
    from counter.roles import sync_roles

    sync_roles(apps, extra=CHOICE_PERMISSIONS)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in WITHDRAWN.items():
        group = group_model.objects.filter(name=role).first()
        if group is None:
            continue
        for app_label, codename in perms:
            group.permissions.remove(
                *permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0012_audit_chains_access_log"),
        ("identity_docs", "0004_help_texts_cite_docs_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="identitydocumentkind",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: the national catalogue, shipped with the system.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="local_document_kinds",
                to="counter.municipality",
                verbose_name="local document of",
            ),
        ),
        migrations.CreateModel(
            name="DocumentChoice",
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
                    "accepted",
                    models.BooleanField(default=True, verbose_name="accepted"),
                ),
                (
                    "document_class",
                    models.CharField(
                        choices=[
                            ("A", "Class A (photo ID issued by a public body)"),
                            ("B", "Class B (name with address or birth date)"),
                            ("proof_of_authority", "Proof of legal authority"),
                            ("proof_of_inability", "Proof the holder cannot come"),
                            ("answer_sheet", "Answer sheet"),
                            ("power_of_attorney", "Power of attorney"),
                        ],
                        max_length=30,
                        verbose_name="class",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="in use")),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, verbose_name="updated"),
                ),
                (
                    "kind",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="choices",
                        to="identity_docs.identitydocumentkind",
                        verbose_name="document kind",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_choices",
                        to="counter.municipality",
                        verbose_name="municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "document choice of the municipality",
                "verbose_name_plural": "document choices of the municipality",
                "ordering": ["municipality", "kind__sort_order", "kind__code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("municipality", "kind"), name="document_choice_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_shared_choices, migrations.RunPython.noop),
        migrations.RunPython(roles, migrations.RunPython.noop),
    ]
