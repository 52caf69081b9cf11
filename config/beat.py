"""Beat's scheduler: django-celery-beat's DatabaseScheduler plus a heartbeat.

Beat calls ``tick`` in its loop (at least every few seconds with the database
scheduler), so a heartbeat written there stops when the loop stops; the beat's
liveness probe (``python -m config.health beat``) reads it.
"""

from __future__ import annotations

from typing import Any

from django_celery_beat.schedulers import DatabaseScheduler

from config.health import beat_name, write_heartbeat


class HeartbeatScheduler(DatabaseScheduler):  # type: ignore[misc]
    def tick(self, *args: Any, **kwargs: Any) -> Any:
        write_heartbeat("beat", beat_name())
        return super().tick(*args, **kwargs)
