"""The outbox relay: a queued letter whose render message may be lost is published
again (docs/adr/0013-letter-outbox-and-task-retries.md).

The letter row is the outbox. A message can be lost between the commit and the
broker (Redis down), in the broker (a worker killed holding it unacknowledged)
or in a worker (killed mid-render). The relay runs every few minutes and
publishes each queued letter whose last message is older than the municipality's
``letter_requeue_after_minutes``, exactly once per run: it claims the row with
``SKIP LOCKED`` (a letter a worker is rendering right now is left alone), stamps
``published_at`` and publishes only after its own commit, so the task it enqueues
never meets the relay's lock.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import InquiryLetter, LetterState
from .lifecycle import publish_render

#: How many letters one run claims at most; the next run takes the rest.
RELAY_BATCH = 500


def letters_due_for_publishing(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of queued letters whose last message is older than their threshold."""
    now = now or timezone.now()
    allowed = ExpressionWrapper(
        F("municipality__profile__letter_requeue_after_minutes")
        * Value(dt.timedelta(minutes=1), output_field=DurationField()),
        output_field=DurationField(),
    )
    last = Coalesce(F("published_at"), F("state_changed_at"))
    return list(
        InquiryLetter.objects.filter(state=LetterState.QUEUED)
        .alias(last=last, allowed=allowed)
        .filter(Q(last__lt=Value(now, output_field=DateTimeField()) - F("allowed")))
        .order_by("pk")
        .values_list("pk", flat=True)[:RELAY_BATCH]
    )


def letters_relay(*, now: dt.datetime | None = None) -> int:
    """Beat, every few minutes: publish every due letter once; returns how many."""
    now = now or timezone.now()
    due = letters_due_for_publishing(now=now)
    if not due:
        return 0
    with transaction.atomic():
        claimed = list(
            InquiryLetter.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=due, state=LetterState.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        InquiryLetter.objects.filter(pk__in=claimed).update(published_at=now)
    # After the commit: the render task locks the row the relay just released.
    for letter_id in claimed:
        publish_render(letter_id)
    return len(claimed)
