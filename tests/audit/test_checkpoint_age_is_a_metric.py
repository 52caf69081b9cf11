"""The operator sees the audit checkpoint's age and validity, and how long audit
appends take, on /metrics."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from config.metrics import metrics
from counter.audit import audit_record
from counter.checkpoints import write_checkpoint

pytestmark = pytest.mark.django_db


def _scrape() -> str:
    return metrics(RequestFactory().get("/metrics")).content.decode()


def test_no_checkpoint_shows_as_not_valid():
    text = _scrape()
    assert "madoguchi_audit_checkpoint_valid 0.0" in text
    assert not any(
        line.startswith("madoguchi_audit_checkpoint_age_seconds ")
        for line in text.splitlines()
    )


def test_a_fresh_checkpoint_shows_its_age_and_verifies():
    write_checkpoint()
    text = _scrape()
    assert "madoguchi_audit_checkpoint_valid 1.0" in text
    age = next(
        float(line.split()[1])
        for line in text.splitlines()
        if line.startswith("madoguchi_audit_checkpoint_age_seconds ")
    )
    assert 0 <= age < 60


def test_a_forged_checkpoint_shows_as_not_valid():
    path = write_checkpoint().path
    path.write_text(path.read_text().replace('"hmac_sha256": "', '"hmac_sha256": "0'))
    assert "madoguchi_audit_checkpoint_valid 0.0" in _scrape()


def test_every_audit_append_is_timed():
    def count(text: str) -> float:
        return next(
            float(line.split()[1])
            for line in text.splitlines()
            if line.startswith("madoguchi_audit_append_seconds_count")
        )

    audit_record(action="metrics_test", actor_label="test")
    before = count(_scrape())
    audit_record(action="metrics_test", actor_label="test")
    assert count(_scrape()) == before + 1
