"""The Celery app and the one place periodic tasks are declared.

Tasks live in each app's ``tasks.py``, take ids (never PINs), are idempotent and
acknowledged late (settings). Beat uses django-celery-beat's DatabaseScheduler,
which loads :data:`BEAT_SCHEDULE`; only an installation administrator sees the
entries in the admin, read-only (ADR 0023): a schedule is changed by a release.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")

app = Celery("madoguchi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["counter.letters"])

BEAT_SCHEDULE = {
    # Letters whose second-visit deadline passed become expired and their cases
    # are flagged; run early, before the counters open at 8:30.
    "expire-inquiry-letters": {
        "task": "counter.expire_inquiry_letters",
        "schedule": crontab(hour=6, minute=0),
    },
    # Cases whose second visit did not happen by the deadline expire, also those
    # whose letter was never rendered; after the letter sweep.
    "expire-overdue-cases": {
        "task": "counter.expire_overdue_cases",
        "schedule": crontab(hour=6, minute=10),
    },
    # The outbox relay: queued letters whose render message may have been lost
    # (broker down, worker killed) are published again after the profile's
    # threshold in minutes, so none misses the day's print run.
    "relay-letters": {
        "task": "counter.relay_letters",
        "schedule": 120.0,
    },
    # Letters stuck in queued/rendered longer than the profile allows are listed
    # for supervisors; hourly is enough for a daily print run.
    "flag-stuck-letters": {
        "task": "counter.flag_stuck_letters",
        "schedule": crontab(minute=15),
    },
    # The daily print run collects the rendered letters after the counters close,
    # so they go to the post office the next morning (weekdays).
    "create-print-run": {
        "task": "counter.create_print_run",
        "schedule": crontab(hour=17, minute=30, day_of_week="mon-fri"),
    },
    # The simulated issuer's CRL is re-signed well within its nextUpdate.
    "refresh-crl": {
        "task": "jpki_ops.refresh_crl",
        "schedule": crontab(minute=0, hour="*/6"),
    },
    # Card operations nobody claimed or finished in time end as timed out, so a
    # clerk's screen never waits forever; every minute.
    "time-out-card-operations": {
        "task": "jpki_ops.time_out_card_operations",
        "schedule": 60.0,
    },
    # Scanned identity documents past their retention are deleted nightly.
    "purge-expired-scans": {
        "task": "identity_docs.purge_expired_scans",
        "schedule": crontab(hour=2, minute=30),
    },
    # The audit chains' heads are witnessed outside the database (a signed
    # checkpoint) every five minutes, so a cut end of the trail is found
    # (docs/security/audit-trail.md).
    "write-audit-checkpoint": {
        "task": "counter.write_audit_checkpoint",
        "schedule": 300.0,
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
