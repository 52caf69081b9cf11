"""Celery: JSON only, late acks, prefetch 1, time limits; every periodic task
declared in config/celery_app.py names a task that exists."""

from django.conf import settings

from config.celery_app import BEAT_SCHEDULE, app


def test_tasks_are_json_acked_late_one_at_a_time_with_time_limits():
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT


def test_unit_tests_use_an_unreachable_broker_not_eager_mode():
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL.startswith("redis://127.0.0.1:1/")


def test_every_periodic_task_exists():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {
        name: entry["task"]
        for name, entry in BEAT_SCHEDULE.items()
        if entry["task"] not in registered
    }
    assert missing == {}


def test_every_role_has_every_permission_it_is_given(db):
    from django.contrib.auth.models import Group

    from counter.roles import ROLE_PERMISSIONS

    for role, perms in ROLE_PERMISSIONS.items():
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related(
                "content_type"
            )
        }
        assert set(perms) - granted == set(), role
