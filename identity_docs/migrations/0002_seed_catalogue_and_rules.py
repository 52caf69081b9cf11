"""Load the catalogue (catalogue_data) and the seed city's rules for every profile.

New municipalities get their rules from ``requirement_rules_install_defaults``;
this migration covers the profiles that exist already. Also gives the staff roles
their permissions on the new models (counter.roles.sync_roles).
"""

from django.db import migrations

PERMISSIONS = {
    "clerk": [
        "identity_docs.view_identitydocumentkind",
        "identity_docs.view_requirementrule",
        "identity_docs.view_documentpolicy",
        "identity_docs.view_evidencepresented",
        "identity_docs.add_evidencepresented",
        "identity_docs.add_scannedcopy",
    ],
    "supervisor": [
        "identity_docs.view_identitydocumentkind",
        "identity_docs.add_identitydocumentkind",
        "identity_docs.change_identitydocumentkind",
        "identity_docs.view_requirementrule",
        "identity_docs.add_requirementrule",
        "identity_docs.change_requirementrule",
        "identity_docs.view_documentpolicy",
        "identity_docs.change_documentpolicy",
        "identity_docs.view_evidencepresented",
        "identity_docs.add_evidencepresented",
        "identity_docs.view_scannedcopy",
        "identity_docs.add_scannedcopy",
    ],
    "auditor": [
        "identity_docs.view_identitydocumentkind",
        "identity_docs.view_requirementrule",
        "identity_docs.view_documentpolicy",
        "identity_docs.view_evidencepresented",
    ],
}


def load(apps, schema_editor):
    from identity_docs.catalogue_data import CATALOGUE
    from identity_docs.defaults import SEED_POLICY, default_rules

    kind_model = apps.get_model("identity_docs", "IdentityDocumentKind")
    for order, entry in enumerate(CATALOGUE, start=1):
        kind_model.objects.update_or_create(
            code=entry["code"], defaults={**entry, "sort_order": order}
        )
    policy_model = apps.get_model("identity_docs", "DocumentPolicy")
    rule_model = apps.get_model("identity_docs", "RequirementRule")
    profile_model = apps.get_model("counter", "MunicipalProfile")
    table = default_rules(SEED_POLICY)
    for profile in profile_model.objects.all():
        policy_model.objects.get_or_create(profile=profile)
        for (procedure, role, visit), (rules, note) in table.items():
            rule_model.objects.get_or_create(
                profile=profile,
                procedure=procedure,
                applicant_role=role,
                visit=visit,
                defaults={"rules": rules, "note": note},
            )


def grant(apps, schema_editor):
    from counter.roles import sync_roles

    sync_roles(apps, extra=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("identity_docs", "0001_catalogue_policy_rules_evidence"),
        ("counter", "0002_seed_pin_policy_roles_audit_guard"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
