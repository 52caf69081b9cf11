"""The evaluate endpoint's answer is written field by field
(``evaluation_answer``; issue 14): byte for byte what DRF's ``EvaluateOutput``
writes, for every rule of the city and documents that satisfy, miss, are
rejected and are waived."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.renderers import JSONRenderer

from identity_docs.api.serializers import EvaluateOutput, evaluation_answer
from identity_docs.constants import Fact
from identity_docs.evaluator import PresentedDocument
from identity_docs.reference_cache import city_reference
from identity_docs.services import requirements_evaluate

pytestmark = pytest.mark.django_db

DOCUMENT_SETS: list[list[PresentedDocument]] = [
    [],
    [PresentedDocument("my_number_card")],
    [
        PresentedDocument("my_number_card"),
        PresentedDocument("passport", expires_on=dt.date(2030, 1, 1)),
    ],
    [PresentedDocument("passport", expires_on=dt.date(2020, 1, 1))],
    [PresentedDocument("passport", original=False), PresentedDocument("nope")],
    [
        PresentedDocument("my_number_card", owner="agent"),
        PresentedDocument("health_insurance_card"),
        PresentedDocument("pension_book"),
    ],
]
FACTS: list[dict[str, bool]] = [{}, {str(fact): True for fact in Fact.values}]


def test_every_evaluation_is_written_as_drf_writes_it(city: Any) -> None:
    reference = city_reference(city.profile)
    kinds: set[str] = set()
    for procedure, role, visit in reference.rules:
        for documents in DOCUMENT_SETS:
            for facts in FACTS:
                result = requirements_evaluate(
                    profile=city.profile,
                    procedure=procedure,
                    applicant_role=role,
                    visit=visit,
                    documents=documents,
                    on_date=dt.date(2026, 11, 26),
                    facts=facts,
                    reference=reference,
                )
                drfs = EvaluateOutput(result.as_dict()).data
                render = JSONRenderer().render
                assert render(evaluation_answer(result)) == render(drfs)
                kinds.update(k for k in drfs if drfs[k] and k != "satisfied")
                kinds.add(f"satisfied={result.satisfied}")
    # The answers compared had every part filled in at least once.
    assert kinds >= {
        "missing",
        "used",
        "rejected",
        "waived",
        "met",
        "satisfied=True",
        "satisfied=False",
    }
