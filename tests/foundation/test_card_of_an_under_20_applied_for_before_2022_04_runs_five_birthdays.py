"""§3 card validity: to the 10th birthday after issuance from the adult age, else the
5th. The adult age is 18 for applications from 2022-04-01 and was 20 before; the
application date decides, not the issuance date."""

from __future__ import annotations

import datetime as dt

import pytest

from counter.validity import card_expiry

D = dt.date
BIRTH = D(2003, 7, 1)  # 18 from 2021-07-01, 19 from 2022-07-01, 20 from 2023-07-01


@pytest.mark.parametrize(
    ("applied", "issued", "expected", "why"),
    [
        (D(2022, 2, 10), D(2022, 3, 10), D(2026, 7, 1), "19, applied before: 5th"),
        (D(2022, 3, 31), D(2022, 5, 20), D(2026, 7, 1), "issued after, applied before"),
        (D(2022, 4, 1), D(2022, 5, 20), D(2031, 7, 1), "applied 2022-04-01: 10th"),
        (D(2021, 12, 1), D(2023, 8, 1), D(2033, 7, 1), "20 at issuance: 10th"),
    ],
)
def test_an_under_20_card_applied_for_before_2022_04_runs_five_birthdays(
    applied, issued, expected, why
):
    got = card_expiry(
        issued_on=issued,
        birth_date=BIRTH,
        residence_period_end=None,
        applied_on=applied,
    )
    assert got == expected, why


def test_an_18_year_olds_card_applied_for_from_2022_04_runs_ten_birthdays():
    assert card_expiry(
        issued_on=D(2024, 9, 1), birth_date=D(2006, 5, 5), residence_period_end=None
    ) == D(2034, 5, 5)


def test_without_an_application_date_the_issuance_date_decides():
    """A card issued before 2022-04 was applied for before it, too."""
    assert card_expiry(
        issued_on=D(2021, 10, 1), birth_date=BIRTH, residence_period_end=None
    ) == D(2026, 7, 1)


def test_a_period_of_stay_still_caps_the_card():
    assert card_expiry(
        issued_on=D(2022, 3, 10),
        birth_date=BIRTH,
        residence_period_end=D(2024, 1, 31),
        applied_on=D(2022, 2, 10),
    ) == D(2024, 1, 31)
