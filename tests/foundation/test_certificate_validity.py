"""Certificate validity (docs/rules/03-validity.md §3): 5th birthday, 6th on early
renewal, caps."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter.constants import CertificateKind
from counter.validity import (
    anniversary,
    certificate_expiry,
    in_renewal_window,
    nth_birthday_after,
    renewal_window_opens,
)

D = dt.date
SIGNING = CertificateKind.SIGNING
AUTH = CertificateKind.AUTHENTICATION
FAR = D(2099, 1, 1)


@pytest.mark.parametrize(
    ("birth", "issued", "expected"),
    [
        # §3 (a): until the 5th birthday after issuance
        (D(1980, 6, 10), D(2026, 1, 15), D(2030, 6, 10)),
        (D(1980, 6, 10), D(2026, 6, 9), D(2030, 6, 10)),
        # issued on the birthday itself: that birthday is not "after" issuance
        (D(1980, 6, 10), D(2026, 6, 10), D(2031, 6, 10)),
        (D(1980, 6, 10), D(2026, 6, 11), D(2031, 6, 10)),
        (D(1980, 12, 31), D(2026, 12, 30), D(2030, 12, 31)),
        (D(1980, 1, 1), D(2026, 12, 31), D(2031, 1, 1)),
    ],
    ids=["before-birthday", "day-before", "on-birthday", "day-after", "dec31", "jan1"],
)
def test_certificate_runs_to_the_fifth_birthday_after_issuance(birth, issued, expected):
    validity = certificate_expiry(
        kind=AUTH, issued_on=issued, birth_date=birth, card_expires_on=FAR
    )
    assert validity.expires_on == expected
    assert validity.limited_by == "birthday"


def test_renewal_with_less_than_three_months_left_runs_to_the_sixth_birthday():
    birth = D(1980, 4, 25)
    old_expiry = D(2026, 4, 25)
    validity = certificate_expiry(
        kind=AUTH,
        issued_on=D(2026, 2, 1),
        birth_date=birth,
        card_expires_on=FAR,
        previous_expires_on=old_expiry,
    )
    assert validity.expires_on == D(2031, 4, 25)
    assert validity.birthdays == 6


def test_renewal_before_the_window_keeps_the_fifth_birthday():
    validity = certificate_expiry(
        kind=AUTH,
        issued_on=D(2026, 1, 25),  # window opens 26 January
        birth_date=D(1980, 4, 25),
        card_expires_on=FAR,
        previous_expires_on=D(2026, 4, 25),
    )
    assert validity.birthdays == 5
    assert validity.expires_on == D(2030, 4, 25)


def test_signing_certificate_is_capped_by_the_authentication_certificate():
    validity = certificate_expiry(
        kind=SIGNING,
        issued_on=D(2026, 1, 15),
        birth_date=D(1980, 6, 10),
        card_expires_on=FAR,
        authentication_expires_on=D(2028, 3, 1),
    )
    assert validity.expires_on == D(2028, 3, 1)
    assert validity.limited_by == "authentication_certificate"


def test_authentication_certificate_is_not_capped_by_itself():
    validity = certificate_expiry(
        kind=AUTH,
        issued_on=D(2026, 1, 15),
        birth_date=D(1980, 6, 10),
        card_expires_on=FAR,
        authentication_expires_on=D(2028, 3, 1),
    )
    assert validity.expires_on == D(2030, 6, 10)


@pytest.mark.parametrize("kind", [SIGNING, AUTH])
def test_both_certificates_are_capped_by_the_card(kind):
    validity = certificate_expiry(
        kind=kind,
        issued_on=D(2026, 1, 15),
        birth_date=D(1980, 6, 10),
        card_expires_on=D(2027, 9, 30),
    )
    assert validity.expires_on == D(2027, 9, 30)
    assert validity.limited_by == "card"


def test_foreign_resident_certificates_end_with_the_period_of_stay():
    validity = certificate_expiry(
        kind=SIGNING,
        issued_on=D(2026, 1, 15),
        birth_date=D(1990, 6, 10),
        card_expires_on=D(2027, 5, 1),
        residence_period_end=D(2026, 11, 30),
    )
    assert validity.expires_on == D(2026, 11, 30)
    assert validity.limited_by == "residence_period"


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        (D(2026, 1, 15), D(2030, 2, 28)),  # 2030 is a common year
        (D(2023, 3, 1), D(2028, 2, 29)),  # 2028 is a leap year
        (D(2024, 2, 29), D(2029, 2, 28)),
    ],
)
def test_29_february_birthdays_fall_on_28_february_in_common_years(issued, expected):
    validity = certificate_expiry(
        kind=AUTH, issued_on=issued, birth_date=D(2000, 2, 29), card_expires_on=FAR
    )
    assert validity.expires_on == expected


@pytest.mark.parametrize(
    ("expiry", "opens"),
    [
        (D(2026, 4, 25), D(2026, 1, 26)),  # the municipal example (§3)
        (D(2026, 5, 31), D(2026, 3, 1)),  # 31 Feb does not exist: 28 Feb + 1
        (D(2028, 5, 31), D(2028, 3, 1)),  # leap year: 29 Feb + 1
        (D(2026, 3, 15), D(2025, 12, 16)),  # across the year
    ],
)
def test_renewal_window_opens_the_day_after_the_same_date_three_months_before(
    expiry, opens
):
    assert renewal_window_opens(expiry) == opens
    assert in_renewal_window(expiry, opens)
    assert not in_renewal_window(expiry, opens - dt.timedelta(days=1))


@given(
    birth=st.dates(D(1920, 1, 1), D(2025, 12, 31)),
    issued=st.dates(D(2016, 1, 1), D(2040, 12, 31)),
    n=st.integers(1, 10),
)
def test_nth_birthday_is_after_issuance_and_within_n_years(birth, issued, n):
    result = nth_birthday_after(birth, issued, n)
    assert result > issued
    assert result <= D(issued.year + n, 12, 31)
    assert (result.month, result.day) in {(birth.month, birth.day), (2, 28)}
    assert result == anniversary(birth, result.year)


@given(
    birth=st.dates(D(1920, 1, 1), D(2025, 12, 31)),
    issued=st.dates(D(2016, 1, 1), D(2040, 12, 31)),
    card_days=st.integers(1, 4000),
    auth_days=st.integers(1, 4000),
)
def test_expiry_never_exceeds_any_cap(birth, issued, card_days, auth_days):
    card = issued + dt.timedelta(days=card_days)
    auth = issued + dt.timedelta(days=auth_days)
    validity = certificate_expiry(
        kind=SIGNING,
        issued_on=issued,
        birth_date=birth,
        card_expires_on=card,
        authentication_expires_on=auth,
    )
    assert validity.expires_on <= min(card, auth, nth_birthday_after(birth, issued, 5))
