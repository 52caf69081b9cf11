"""Copies of the identity documents shown (docs/rules/05-identity-documents.md §5.4).

When the city's document policy says identity documents are copied as scans, each
class A or B document that counted at a visit needs its scanned copy before the
document check passes. A copy taken earlier at the same visit of the same document
(same kind, same owner) counts, so a clerk who scans after a first refusal records
the documents again and passes. The My Number Card needs no copy (its back
carries the individual number) and the answer sheet is never scanned (PINs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from identity_docs.constants import CARD_CODE, DocumentClass
from identity_docs.models import DocumentPolicy, EvidencePresented, ScannedCopy

#: The classes whose documents are copied (§5.4).
COPIED_CLASSES = (DocumentClass.A.value, DocumentClass.B.value)


def copies_required(*, profile: Any) -> bool:
    policy = DocumentPolicy.objects.filter(profile=profile).first()
    return bool(policy and policy.scanned_copies_required)


def _has_copy(row: EvidencePresented) -> bool:
    return ScannedCopy.objects.filter(
        evidence__case_id=row.case_id,
        evidence__visit=row.visit,
        evidence__kind_id=row.kind_id,
        evidence__owner=row.owner,
        purged_at__isnull=True,
    ).exists()


def copies_missing(
    *, profile: Any, rows: Sequence[EvidencePresented]
) -> list[EvidencePresented]:
    """The counted identity documents of ``rows`` that still lack a scanned copy;
    empty when the city does not keep scans."""
    if not copies_required(profile=profile):
        return []
    return [
        row
        for row in rows
        if row.accepted
        and row.kind.code != CARD_CODE
        and row.kind.document_class in COPIED_CLASSES
        and not _has_copy(row)
    ]
