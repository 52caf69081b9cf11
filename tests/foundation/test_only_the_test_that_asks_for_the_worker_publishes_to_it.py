"""The real Celery worker of the integration tests serves only the test that
asks for it (tests/fixtures/celery_worker.py). Its process lives for the whole
session, but the test process's Celery app publishes to it only during that
test: every other test, before and after, publishes to the broker
``config.settings.test`` names (an address nothing listens on: the letters'
outbox keeps what it could not publish). A render published by a later test
used to reach the live worker, which then worked on the test database behind
that test's back; once, a teardown's TRUNCATE deadlocked with it."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from config.celery_app import app
from tests.fixtures.celery_worker import WorkerHandle, app_publishing_to


def _publishing() -> tuple[object, ...]:
    return (
        app.conf.broker_url,
        app.conf.task_default_queue,
        app.conf.task_always_eager,
        os.environ.get("CELERY_BROKER_URL"),
    )


def test_the_app_publishes_to_the_worker_inside_and_is_restored_after_an_error():
    before = _publishing()

    with (
        pytest.raises(RuntimeError),
        app_publishing_to(app, "redis://127.0.0.1:6379/11", "test-elsewhere"),
    ):
        assert app.conf.task_always_eager is False
        assert app.conf.task_default_queue == "test-elsewhere"
        assert os.environ["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/11"
        raise RuntimeError("the test failed")

    assert _publishing() == before


@pytest.mark.integration
def test_a_test_that_asks_for_the_worker_publishes_to_its_queue(
    celery_worker: WorkerHandle,
):
    assert app.conf.task_always_eager is False
    assert app.conf.task_default_queue == celery_worker.queue
    assert app.conf.broker_url == celery_worker.broker_url


def test_the_next_test_publishes_where_the_test_settings_say_again():
    # Runs after the test above (pytest keeps a file's order).
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert os.environ["CELERY_BROKER_URL"] == settings.CELERY_BROKER_URL
    assert app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER
    assert not str(app.conf.task_default_queue).startswith("test-")
