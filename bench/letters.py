"""Inquiry-letter rendering benchmark (issue 5): ``python bench/letters.py``.

Prints one ``name: value`` per line, on one core, in one run:

* ``single_letters_per_s`` – one PDF per letter (what a Celery task renders);
* ``batch_letters_per_s`` – a 1000-letter print run as one multi-page PDF;
* ``bytes_per_letter`` – mean size of a single-letter PDF;

and the same three prefixed ``baseline_`` for the same letter drawn the plain way
(everything drawn afresh, reportlab's own TTFont embedding of the same font file).
Targets: single ≥ 60/s, print run ≥ 200/s, ≤ 40 KB per single letter.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SINGLE_LETTERS = int(os.environ.get("BENCH_SINGLE_LETTERS", "300"))
BATCH_LETTERS = int(os.environ.get("BENCH_BATCH_LETTERS", "1000"))

FAMILY = (
    "佐藤鈴木高橋田中伊藤渡辺山本中村小林加藤吉田山田佐々木松本井上木村林清水山崎森"
)
GIVEN = "花子太郎一郎和子洋子幸子正雄美智子健二裕子博明節子"
TOWNS = ["中町", "旭町", "東町", "水引", "恩名", "温水", "林", "妻田東", "下荻野"]


def sample_letters(count: int) -> list:
    from counter.constants import Procedure
    from counter.letters.address import PostalAddress
    from counter.letters.content import LETTER_PROCEDURES, SEED_OFFICE, LetterData

    letters = []
    for i in range(count):
        family = FAMILY[(i * 2) % len(FAMILY) : (i * 2) % len(FAMILY) + 2]
        given = GIVEN[(i * 3) % len(GIVEN) : (i * 3) % len(GIVEN) + 2]
        address = PostalAddress.build(
            postal_code=f"243-{i % 90 + 10:04d}",
            town_area=f"神奈川県厚木市{TOWNS[i % len(TOWNS)]}",
            block=f"{i % 9 + 1}丁目{i % 30 + 1}-{i % 17 + 1} コーポ厚木{i % 5 + 1}01号",
            name=f"{family} {given}",
        )
        letters.append(
            LetterData(
                reference_code=f"2611-{i // 10000:04d}-{i % 10000:04d}",
                procedure=LETTER_PROCEDURES[i % len(LETTER_PROCEDURES)]
                if i % 3
                else Procedure.PIN_CHANGE,
                address=address,
                agent_name=f"{FAMILY[(i * 5) % 40 : (i * 5) % 40 + 2]} 次郎",
                first_visit=dt.date(2026, 11, 26),
                deadline=dt.date(2026, 12, 26),
                issued_on=dt.date(2026, 11, 26),
                office=SEED_OFFICE,
            )
        )
    return letters


def measure(render_one, render_many, letters: list) -> tuple[float, float, float]:
    singles = letters[:SINGLE_LETTERS]
    render_one(singles[0])  # process warm-up: font parsed and registered
    started = time.perf_counter()
    total = 0
    for data in singles:
        total += len(render_one(data))
    single_rate = len(singles) / (time.perf_counter() - started)
    started = time.perf_counter()
    render_many(letters[:BATCH_LETTERS])
    batch_rate = BATCH_LETTERS / (time.perf_counter() - started)
    return single_rate, batch_rate, total / len(singles)


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    import django

    django.setup()
    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTFont

    from bench.plain_letters import letter_pdf_plain, letters_pdf_plain
    from counter.letters.fonts import FONT_FILE, register_font_by_name
    from counter.letters.render import letter_pdf, letters_pdf

    letters = sample_letters(max(SINGLE_LETTERS, BATCH_LETTERS))
    ours = measure(letter_pdf, letters_pdf, letters)

    register_font_by_name(TTFont("BaselineGothic", str(FONT_FILE)))
    rl_config.useA85 = 1  # reportlab's default, which the letter renderer turns off
    baseline = measure(
        lambda d: letter_pdf_plain(d, font_name="BaselineGothic"),
        lambda ds: letters_pdf_plain(ds, font_name="BaselineGothic"),
        letters,
    )
    for prefix, (single, batch, size) in (("", ours), ("baseline_", baseline)):
        print(f"{prefix}single_letters_per_s: {single:.1f}")
        print(f"{prefix}batch_letters_per_s: {batch:.1f}")
        print(f"{prefix}bytes_per_letter: {size:.0f}")


if __name__ == "__main__":
    main()
