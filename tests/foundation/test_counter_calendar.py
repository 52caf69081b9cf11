"""Counter hours of the seed city (厚木市): weekdays 8:30–17:15, Saturday mornings
8:30–12:00 for PIN procedures at the main office, closed on national holidays and
29 December–3 January (docs/rules/seed.md "Seed table", §16)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from counter.calendar import counter_status
from counter.models import ClosedDay, SpecialOpening

JST = ZoneInfo("Asia/Tokyo")


def at(y, m, d, hh, mm):
    return dt.datetime(y, m, d, hh, mm, tzinfo=JST)


@pytest.mark.parametrize(
    ("moment", "is_open", "code"),
    [
        (at(2026, 11, 26, 8, 29), False, "before-hours"),  # Thursday
        (at(2026, 11, 26, 8, 30), True, "open"),
        (at(2026, 11, 26, 17, 14), True, "open"),
        (at(2026, 11, 26, 17, 15), False, "after-hours"),
        (at(2026, 11, 29, 10, 0), False, "closed-weekday"),  # Sunday
    ],
)
def test_weekday_hours(office, moment, is_open, code):
    status = counter_status(office=office, at=moment, procedure="pin_reset")
    assert (status.open, status.code) == (is_open, code)


def test_saturday_morning_is_open_for_a_pin_reset_at_the_main_office(office):
    status = counter_status(
        office=office, at=at(2026, 11, 28, 9, 0), procedure="pin_reset"
    )
    assert status.open


def test_saturday_afternoon_is_closed(office):
    status = counter_status(
        office=office, at=at(2026, 11, 28, 13, 0), procedure="pin_reset"
    )
    assert not status.open
    assert status.code == "after-hours"
    assert "08:30–12:00" in str(status.message)


def test_saturday_morning_does_not_serve_certificate_issuance(office):
    status = counter_status(
        office=office, at=at(2026, 11, 28, 9, 0), procedure="cert_issue"
    )
    assert not status.open
    assert status.code == "closed-weekday"


def test_branch_offices_are_closed_on_saturdays(branch_office):
    status = counter_status(
        office=branch_office, at=at(2026, 11, 28, 9, 0), procedure="pin_reset"
    )
    assert not status.open


@pytest.mark.parametrize(
    "moment",
    [
        at(2026, 11, 23, 10, 0),  # 勤労感謝の日 (Monday)
        at(2026, 9, 22, 10, 0),  # 国民の休日 between two holidays
        at(2027, 1, 11, 10, 0),  # 成人の日
    ],
)
def test_closed_on_national_holidays(office, moment):
    status = counter_status(office=office, at=moment, procedure="pin_reset")
    assert not status.open
    assert status.code == "national-holiday"


def test_saturday_that_is_a_national_holiday_is_closed(office):
    # 2028-04-29 (昭和の日) is a Saturday.
    status = counter_status(
        office=office, at=at(2028, 4, 29, 9, 0), procedure="pin_reset"
    )
    assert not status.open
    assert status.code == "national-holiday"


@pytest.mark.parametrize(
    "moment",
    [
        at(2026, 12, 29, 10, 0),
        at(2026, 12, 31, 10, 0),
        at(2027, 1, 1, 10, 0),
        at(2027, 1, 4, 10, 0) - dt.timedelta(days=1),
    ],
)
def test_closed_for_the_year_end_holidays(office, moment):
    status = counter_status(office=office, at=moment, procedure="pin_reset")
    assert not status.open
    assert status.code in {"year-end-closure"}


def test_open_again_on_4_january(office):
    status = counter_status(office=office, at=at(2027, 1, 4, 10, 0))
    assert status.open


def test_a_city_specific_closed_day_closes_the_counter_with_its_reason(office):
    ClosedDay.objects.create(
        profile=office.municipality.profile,
        date=dt.date(2026, 12, 2),
        reason="J-LISシステム停止",
    )
    status = counter_status(office=office, at=at(2026, 12, 2, 10, 0))
    assert not status.open
    assert "J-LISシステム停止" in str(status.message)


def test_a_special_sunday_opening_opens_the_counter(office):
    SpecialOpening.objects.create(
        profile=office.municipality.profile,
        office=office,
        date=dt.date(2026, 11, 29),
        opens=dt.time(9, 0),
        closes=dt.time(12, 0),
    )
    assert counter_status(office=office, at=at(2026, 11, 29, 10, 0)).open
    assert not counter_status(office=office, at=at(2026, 11, 29, 12, 30)).open


def test_the_calendar_reads_the_time_in_japan_not_utc(office):
    # 23:45 UTC on Wednesday is 08:45 on Thursday in Tokyo.
    moment = dt.datetime(2026, 11, 25, 23, 45, tzinfo=dt.UTC)
    assert counter_status(office=office, at=moment).open


def test_next_open_day_skips_sundays_holidays_and_the_year_end(office):
    from counter.calendar import next_open_day

    thursday = dt.date(2026, 11, 26)
    assert next_open_day(office=office, day=thursday) == thursday
    # Sunday 29 November → Monday 30 November
    assert next_open_day(office=office, day=dt.date(2026, 11, 29)) == dt.date(
        2026, 11, 30
    )
    # 29 December … 3 January closed, 2–3 January a weekend anyway → 4 January
    assert next_open_day(office=office, day=dt.date(2026, 12, 29)) == dt.date(
        2027, 1, 4
    )
    # Saturday: open for a PIN reset at the main office, not for issuance
    saturday = dt.date(2026, 11, 28)
    assert next_open_day(office=office, day=saturday, procedure="pin_reset") == (
        saturday
    )
    assert next_open_day(
        office=office, day=saturday, procedure="cert_issue"
    ) == dt.date(2026, 11, 30)
