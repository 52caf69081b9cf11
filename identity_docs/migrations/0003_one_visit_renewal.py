"""§6.2 one-visit renewal: the policy setting, and the J-LIS sheet's rule added to
the stored renewal rule of every city (edited rules keep their other rules)."""

from django.db import migrations, models

KEY = {"procedure": "cert_renew", "applicant_role": "voluntary_agent", "visit": 1}


def add_rule(apps, schema_editor):
    from dataclasses import replace

    from identity_docs.defaults import SEED_POLICY, default_rules

    policy_model = apps.get_model("identity_docs", "DocumentPolicy")
    rule_model = apps.get_model("identity_docs", "RequirementRule")
    for stored in rule_model.objects.filter(**KEY):
        if any(r.get("id") == "jlis_answer_sheet" for r in stored.rules):
            continue
        policy = policy_model.objects.filter(profile_id=stored.profile_id).first()
        values = replace(
            SEED_POLICY,
            answer_sheet_must_be_sealed=policy.answer_sheet_must_be_sealed
            if policy
            else True,
        )
        rules, _note = default_rules(values)[tuple(KEY.values())]
        stored.rules = [*stored.rules, rules[-1]]
        stored.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [
        ("identity_docs", "0002_seed_catalogue_and_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentpolicy",
            name="one_visit_renewal",
            field=models.BooleanField(
                default=True,
                help_text="rules.md §6.2: while the certificate is valid, a voluntary "
                "agent with the sealed sheet J-LIS sends with the expiry notice renews "
                "in one visit.",
                verbose_name="one-visit renewal with the J-LIS sheet",
            ),
        ),
        migrations.RunPython(add_rule, migrations.RunPython.noop),
    ]
