"""The worker's parent warms the letter caches before it forks its children, so
no child (and no child that replaces one recycled by memory) pays 100–150 ms
for the font and the fixed part on its first letter (issue 14 §1)."""

from __future__ import annotations

from celery.signals import worker_init

from counter.letters import fixed, tasks
from counter.letters.fonts import letter_font


def test_the_worker_parent_parses_the_font_and_draws_a_fixed_part_before_forking():
    connected = [key for key, _receiver in worker_init.receivers]
    assert any(key[0] == "counter.letters.warm_up" for key in connected)
    letter_font.cache_clear()
    fixed._CODE.clear()
    tasks.warm_letter_caches(sender=None)
    assert letter_font.cache_info().currsize == 1
    assert fixed._CODE  # the sample letter's fixed part, drawn and kept
