"""Properties of the evaluator over random presentations (hypothesis).

- Showing one more valid document never turns "satisfied" into "not satisfied".
- An expired document or a photocopy never counts
(docs/rules/05-identity-documents.md §5.1, seed: 原本に限る).
- The answer does not depend on the order the documents were listed in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from identity_docs.catalogue_data import CATALOGUE
from identity_docs.defaults import default_rules
from identity_docs.evaluator import DocumentKind, PresentedDocument, evaluate

DAY = date(2026, 11, 26)
CATALOGUE_KINDS = {d["code"]: DocumentKind.from_dict(d) for d in CATALOGUE}
RULES = default_rules()
KEYS = sorted(RULES)
# Codes the requirements actually ask for, weighted in so that satisfied cases occur.
USEFUL = [
    "my_number_card",
    "passport",
    "driving_licence",
    "insurance_qualification_certificate",
    "student_id",
    "pension_certificate",
    "family_register_extract",
    "guardianship_registry_certificate",
    "medical_certificate",
    "inquiry_answer_sheet",
    "power_of_attorney",
    "busy_with_work_or_school",
    "driving_history_certificate",
]


def valid_document() -> st.SearchStrategy[PresentedDocument]:
    return st.builds(
        PresentedDocument,
        code=st.one_of(
            st.sampled_from(USEFUL), st.sampled_from(sorted(CATALOGUE_KINDS))
        ),
        owner=st.sampled_from(["holder", "applicant"]),
        original=st.just(True),
        issued_on=st.one_of(st.none(), st.dates(date(2012, 4, 1), DAY)),
        expires_on=st.one_of(st.none(), st.dates(DAY, date(2035, 1, 1))),
        sealed=st.sampled_from([True, None, False]),
    )


def any_document() -> st.SearchStrategy[PresentedDocument]:
    return st.builds(
        PresentedDocument,
        code=st.sampled_from(USEFUL),
        owner=st.sampled_from(["holder", "applicant"]),
        original=st.booleans(),
        issued_on=st.one_of(st.none(), st.dates(date(2005, 1, 1), DAY)),
        expires_on=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2035, 1, 1))),
        sealed=st.sampled_from([True, None, False]),
    )


def run(key, docs, facts=None):
    rules, _ = RULES[key]
    return evaluate(
        requirement={"applicant_role": key[1], "rules": rules},
        documents=docs,
        on_date=DAY,
        catalogue=CATALOGUE_KINDS,
        facts=facts,
    )


facts_strategy = st.fixed_dictionaries(
    {
        "authority_confirmed_in_records": st.booleans(),
        "resident_pin_unknown": st.booleans(),
    }
)


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(KEYS),
    docs=st.lists(any_document(), max_size=7),
    extra=valid_document(),
    facts=facts_strategy,
)
def test_one_more_valid_document_never_undoes_satisfied(key, docs, extra, facts):
    if run(key, docs, facts).satisfied:
        assert run(key, [*docs, extra], facts).satisfied


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(KEYS),
    docs=st.lists(any_document(), max_size=7),
    bad=valid_document(),
    how=st.sampled_from(["copy", "expired"]),
    facts=facts_strategy,
)
def test_an_expired_document_or_a_copy_never_counts(key, docs, bad, how, facts):
    if how == "copy":
        bad, reason = replace(bad, original=False), "copy-not-accepted"
    else:
        bad, reason = replace(bad, expires_on=DAY - timedelta(days=1)), "expired"
    before = run(key, docs, facts)
    after = run(key, [*docs, bad], facts)
    assert after.satisfied == before.satisfied
    assert sorted(after.used) == sorted(before.used)
    assert [m.rule for m in after.missing] == [m.rule for m in before.missing]
    if CATALOGUE_KINDS[bad.code].accepted:
        assert (bad.code, reason) in [(r.code, r.reason) for r in after.rejected]
    else:
        assert (bad.code, "reason-not-accepted") in [
            (r.code, r.reason) for r in after.rejected
        ]


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(KEYS),
    docs=st.lists(any_document(), max_size=8),
    data=st.data(),
    facts=facts_strategy,
)
def test_the_answer_does_not_depend_on_document_order(key, docs, data, facts):
    shuffled = data.draw(st.permutations(docs))
    assert run(key, shuffled, facts).as_dict() == run(key, docs, facts).as_dict()


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(KEYS), docs=st.lists(any_document(), max_size=8))
def test_no_document_counts_twice(key, docs):
    result = run(key, docs)
    shown = [d.code for d in docs]
    for code in set(result.used):
        assert result.used.count(code) <= shown.count(code)
    assert len(result.used) + len(result.rejected) == len(docs)
