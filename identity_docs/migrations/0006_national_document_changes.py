"""The document kinds national changes brought after the seed's list (§5.3).

Adds 資格確認書 and the care-insurance card as class B national kinds. Each
municipality gets a choice row for them that copies its own choice for the seed's
combined 「健康保険又は介護保険の被保険者証」 row, so a city that did not take
insurance cards still does not, and no existing choice row is changed. The end dates
of the 健康保険証 and the 住基カード are national law and are checked by the
evaluator (identity_docs.catalogue_changes), not stored per city.
"""

from django.db import migrations

# Frozen here: a later change to the shipped data must not rewrite this step.
NEW_KINDS = [
    {
        "code": "insurance_qualification_certificate",
        "name_ja": "資格確認書",
        "name_en": "Health insurance eligibility certificate",
        "document_class": "B",
        "has_expiry": True,
    },
    {
        "code": "care_insurance_card",
        "name_ja": "介護保険の被保険者証",
        "name_en": "Long-term-care insurance card",
        "document_class": "B",
        "has_expiry": True,
    },
]
PREDECESSOR = "health_or_care_insurance_card"


def add_kinds(apps, schema_editor):
    kind_model = apps.get_model("identity_docs", "IdentityDocumentKind")
    choice_model = apps.get_model("identity_docs", "DocumentChoice")
    municipality_model = apps.get_model("counter", "Municipality")
    predecessor = kind_model.objects.filter(
        code=PREDECESSOR, municipality__isnull=True
    ).first()
    order = predecessor.sort_order if predecessor else 0
    for entry in NEW_KINDS:
        kind, _ = kind_model.objects.get_or_create(
            code=entry["code"], defaults={**entry, "sort_order": order}
        )
        for municipality in municipality_model.objects.all():
            before = (
                choice_model.objects.filter(
                    municipality=municipality, kind=predecessor
                ).first()
                if predecessor
                else None
            )
            choice_model.objects.get_or_create(
                municipality=municipality,
                kind=kind,
                defaults={
                    "accepted": before.accepted if before else kind.accepted,
                    "document_class": before.document_class
                    if before
                    else kind.document_class,
                    "active": before.active if before else kind.active,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("identity_docs", "0005_municipal_document_choices"),
    ]

    operations = [
        migrations.RunPython(add_kinds, migrations.RunPython.noop),
    ]
