"""The agent's deadline never falls on a day the counter is closed (§6.2, §16)."""

import datetime as dt

import pytest

from counter.services.visits import second_visit_deadline
from tests import factories as f


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_visit", "procedure", "expected"),
    [
        # 30 days after Thursday 26 November: Saturday 26 December. The main
        # office is open on Saturday mornings for PIN procedures, not issuance.
        (dt.date(2026, 11, 26), "pin_reset", dt.date(2026, 12, 26)),
        (dt.date(2026, 11, 26), "cert_issue", dt.date(2026, 12, 28)),
        # 30 days after 30 November: 30 December, in the year-end closure.
        (dt.date(2026, 11, 30), "pin_reset", dt.date(2027, 1, 4)),
        # 30 days after 15 October: Saturday 14 November is open for PIN reset.
        (dt.date(2026, 10, 15), "pin_reset", dt.date(2026, 11, 14)),
    ],
)
def test_a_deadline_on_a_closed_day_moves_to_the_next_open_day(
    first_visit, procedure, expected
):
    municipality = f.MunicipalityFactory()
    main = municipality.offices.get(kind="main")
    case = f.CaseFactory(
        resident=f.ResidentFactory(municipality=municipality),
        office=main,
        procedure=procedure,
        applicant_role="voluntary_agent",
    )
    assert second_visit_deadline(case=case, on=first_visit) == expected
