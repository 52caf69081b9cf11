"""Inquiry-letter services: request, render, print run, mail, answer, return, expire.

One module per phase of a letter's life, every public name re-exported here so
callers write ``from counter.letters import services`` (or ``from
counter.letters.services import letter_request``):

* :mod:`.lifecycle` – locking, moving the state (``counter.transitions``),
  auditing refusals, enqueueing rendering by the task's stable name;
* :mod:`.requests` – :func:`letter_request` (from the case's visit-1 service),
  reference codes, the snapshot of what is printed;
* :mod:`.rendering` – :func:`letter_data`, the office block, :func:`letter_render`
  and :func:`letter_render_failed` (from the render task), :func:`letter_retry`;
* :mod:`.print_runs` – :func:`print_run_create`, the manifest, the daily runs;
* :mod:`.paper_trail` – mailed, answered (from visit 2), returned, expired,
  the stuck-letter listing;
* :mod:`.outbox` – :func:`letters_relay`, which publishes queued letters whose
  render message may have been lost (the letter row is the outbox).
"""

from __future__ import annotations

from .lifecycle import RENDER_TASK, publish_render
from .outbox import letters_due_for_publishing, letters_relay
from .paper_trail import (
    letter_mark_answered,
    letter_mark_mailed,
    letter_mark_returned,
    letters_expire_overdue,
    letters_flag_stuck,
    letters_stuck,
    on_letter_expired,
    print_run_mark_mailed,
)
from .print_runs import MANIFEST_FIELDS, print_run_create, print_runs_create_all
from .rendering import (
    LetterRenderError,
    letter_data,
    letter_render,
    letter_render_failed,
    letter_retry,
    office_info,
)
from .requests import letter_address, letter_request, reference_is_well_formed

__all__ = [
    "MANIFEST_FIELDS",
    "RENDER_TASK",
    "LetterRenderError",
    "letter_address",
    "letter_data",
    "letter_mark_answered",
    "letter_mark_mailed",
    "letter_mark_returned",
    "letter_render",
    "letter_render_failed",
    "letter_request",
    "letter_retry",
    "letters_due_for_publishing",
    "letters_relay",
    "letters_expire_overdue",
    "letters_flag_stuck",
    "letters_stuck",
    "office_info",
    "on_letter_expired",
    "print_run_create",
    "print_run_mark_mailed",
    "print_runs_create_all",
    "publish_render",
    "reference_is_well_formed",
]
