"""§9.2: a notification of a lost card (失効届出) is made without the card.

Every city's stored revocation rules get the change: the card rule is waived when the
card is lost, and the holder's one A or two B take its place (holder in person). A
city's other edits to those rows stay as they are; a row already carrying the change
is left alone.
"""

from django.db import migrations

CARD_LOST = "card_lost"
LOST_CARD_ID = "holder_id_card_lost"


def _lost_card_id(two_b_requires_public: bool) -> dict:
    """Frozen copy of identity_docs.defaults.lost_card_id at this migration."""
    two_b = {
        "classes": ["B"],
        "owner": "holder",
        "count": 2,
        "exclude": ["my_number_card"],
    }
    if two_b_requires_public:
        two_b["min_public"] = 1
    return {
        "id": LOST_CARD_ID,
        "alternatives": [
            [{"classes": ["A"], "owner": "holder", "exclude": ["my_number_card"]}],
            [two_b],
        ],
        "only_if": CARD_LOST,
    }


def waive_the_card(apps, schema_editor):
    policy_model = apps.get_model("identity_docs", "DocumentPolicy")
    rule_model = apps.get_model("identity_docs", "RequirementRule")
    for stored in rule_model.objects.filter(procedure="cert_revoke"):
        rules = [dict(r) for r in stored.rules]
        changed = False
        for rule in rules:
            if rule.get("id") == "card" and not rule.get("waived_if"):
                rule["waived_if"] = CARD_LOST
                changed = True
        if stored.applicant_role == "holder" and not any(
            r.get("id") == LOST_CARD_ID for r in rules
        ):
            policy = policy_model.objects.filter(profile_id=stored.profile_id).first()
            rules.append(_lost_card_id(bool(policy and policy.two_b_requires_public)))
            changed = True
        if changed:
            stored.rules = rules
            stored.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [
        ("identity_docs", "0006_national_document_changes"),
    ]

    operations = [
        migrations.RunPython(waive_the_card, migrations.RunPython.noop),
    ]
