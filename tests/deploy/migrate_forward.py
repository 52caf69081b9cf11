"""Run by test_migrations_forward in a child process on a fresh database.

Migrates each of the project's apps to the migration before its newest (the
previous release's schema), writes rows with the historical models of that state,
migrates forward to the newest, and prints the row counts before and after as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import django
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

PROJECT_APPS = ("counter", "identity_docs", "jpki_ops")
# Models written in the old schema, parents before children.
SEEDED = [
    ("counter", "Municipality"),
    ("counter", "Office"),
    ("counter", "Desk"),
    ("counter", "Resident"),
    ("counter", "AuditEvent"),
]


def _value(field: models.Field, created: dict[str, models.Model], n: int):
    if isinstance(field, models.ForeignKey):
        return created.get(field.related_model._meta.label)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.IntegerField):
        return n
    if isinstance(field, models.DateTimeField):
        return dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    if isinstance(field, models.DateField):
        return dt.date(1990, 4, 1)
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.CharField | models.TextField):
        text = f"{n}{n}{field.name}"
        if field.name.endswith("hash"):
            text = f"{n:064x}"
        return text[: field.max_length] if field.max_length else text
    return None


def _seed(apps) -> dict[str, int]:
    created: dict[str, models.Model] = {}
    for app_label, name in SEEDED:
        model = apps.get_model(app_label, name)
        for n in (1, 2):
            values = {}
            for field in model._meta.concrete_fields:
                if field.primary_key or field.has_default() or field.null:
                    continue
                if getattr(field, "generated", False):
                    continue  # computed by the database (GeneratedField)
                value = _value(field, created, n)
                if value is None:
                    raise SystemExit(f"cannot fill {model.__name__}.{field.name}")
                values[field.name] = value
            created[model._meta.label] = model.objects.create(**values)
    return _counts(apps)


def _counts(apps) -> dict[str, int]:
    return {f"{a}.{m}": apps.get_model(a, m).objects.count() for a, m in SEEDED}


def main() -> None:
    django.setup()
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    full_plan = [
        (m.app_label, m.name) for m, _ in executor.migration_plan(graph.leaf_nodes())
    ]
    # The newest migration of each project app and everything built on it.
    newest = [leaf for leaf in graph.leaf_nodes() if leaf[0] in PROJECT_APPS]
    dropped: set[tuple[str, str]] = set()
    todo = list(newest)
    while todo:
        key = todo.pop()
        if key not in dropped:
            dropped.add(key)
            todo.extend(child.key for child in graph.node_map[key].children)
    kept = [key for key in full_plan if key not in dropped]
    last_kept = dict(kept)  # the last kept migration of each app, in plan order
    apps_in_plan = sorted({app for app, _ in full_plan})
    previous = [(app, last_kept.get(app)) for app in apps_in_plan]
    executor.migrate(previous)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(
        [t for t in previous if t[1] is not None]
    ).apps
    before = _seed(old_apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    new_apps = executor.loader.project_state().apps
    after = _counts(new_apps)
    json.dump(
        {
            "previous": previous,
            "dropped": sorted(dropped),
            "before": before,
            "after": after,
            "pending": len(pending),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
