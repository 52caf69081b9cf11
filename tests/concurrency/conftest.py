"""Races on a real PostgreSQL: each contender in its own thread and connection,
released together by a barrier, each outcome kept (a value or the exception)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests import factories as f


@pytest.fixture(autouse=True)
def _the_counter_is_open(request: pytest.FixtureRequest) -> None:
    """Cases are opened on a weekday morning when the counter is open."""
    if "city" in request.fixturenames:
        request.getfixturevalue("open_counter")


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """A transactional test starts after another one's flush: put back the rows
    the data migrations seed (roles, PIN policies, document catalogue)."""
    from django.apps import apps

    for module, function in (
        (
            "counter.migrations.0002_seed_pin_policy_roles_audit_guard",
            "seed_pin_policies",
        ),
        ("counter.migrations.0002_seed_pin_policy_roles_audit_guard", "seed_roles"),
        ("counter.migrations.0004_inquiry_letters", "letter_roles"),
        ("identity_docs.migrations.0002_seed_catalogue_and_rules", "load"),
        ("identity_docs.migrations.0002_seed_catalogue_and_rules", "grant"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def other_clerk(city: Any, office: Any) -> Any:
    """A second clerk of the main office."""
    return f.clerk(city, office)


def race(*contenders: Callable[[], Any], timeout: float = 30) -> list[Any]:
    """Run the contenders at the same instant; each result or raised exception."""
    barrier = threading.Barrier(len(contenders))
    results: list[Any] = [None] * len(contenders)

    def run(i: int, contender: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            results[i] = contender()
        except BaseException as exc:  # noqa: BLE001 - the outcome under test
            results[i] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a contender never finished"
    return results
