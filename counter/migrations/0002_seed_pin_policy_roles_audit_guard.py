"""PIN policies (§2), staff roles, and the database-level append-only guard."""

from django.db import migrations

PIN_POLICIES = [
    # kind, min, max, alphabet, letter, digit, max_attempts
    ("signing", 6, 16, "upper_alnum", True, True, 5),
    ("authentication", 4, 4, "digits", False, False, 3),
    ("resident_register", 4, 4, "digits", False, False, 3),
    ("card_info", 4, 4, "digits", False, False, 3),
]

AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION counter_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'counter_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER counter_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON counter_auditevent
    FOR EACH ROW EXECUTE FUNCTION counter_auditevent_append_only();
CREATE TRIGGER counter_casestatuschange_no_update_delete
    BEFORE UPDATE OR DELETE ON counter_casestatuschange
    FOR EACH ROW EXECUTE FUNCTION counter_auditevent_append_only();
"""

AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS counter_auditevent_no_update_delete ON counter_auditevent;
DROP TRIGGER IF EXISTS counter_casestatuschange_no_update_delete
    ON counter_casestatuschange;
DROP FUNCTION IF EXISTS counter_auditevent_append_only();
"""


def seed_pin_policies(apps, schema_editor):
    try:
        PinPolicy = apps.get_model("counter", "PinPolicy")
    except LookupError:  # called with today's models: the table went in 0009
        return
    for kind, lo, hi, alphabet, letter, digit, attempts in PIN_POLICIES:
        PinPolicy.objects.update_or_create(
            kind=kind,
            defaults={
                "min_length": lo,
                "max_length": hi,
                "alphabet": alphabet,
                "require_letter": letter,
                "require_digit": digit,
                "max_attempts": attempts,
            },
        )


def seed_roles(apps, schema_editor):
    from counter.roles import sync_roles

    sync_roles(apps)


def add_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD)


def remove_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("counter", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed_pin_policies, migrations.RunPython.noop),
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
        migrations.RunPython(add_guard, remove_guard),
    ]
