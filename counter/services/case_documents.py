"""The documents shown at a visit (§5.2, §6), evaluated by identity_docs.

identity_docs records them as evidence and says whether they satisfy the rules;
this phase moves the case on or refuses with what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from counter.constants import Procedure
from counter.errors import ApplicationError, Conflict
from counter.models import Case, Desk
from counter.models.cases import CaseState, RevocationKind
from counter.workflows import workflow_for
from identity_docs.copies import copies_missing
from identity_docs.evaluator import PresentedDocument
from identity_docs.scans import scan_store
from identity_docs.services import evidence_record

from .case_flow import case_check, case_lock, case_transition, refusals_audited


def _presented(documents: Sequence[Any]) -> list[Any]:
    result = []
    for doc in documents:
        if isinstance(doc, PresentedDocument):
            result.append(doc)
            continue
        data = dict(doc)
        for key in ("issued_on", "expires_on"):
            if isinstance(data.get(key), str):
                data[key] = dt.date.fromisoformat(data[key])
        result.append(PresentedDocument(**data))
    return result


def case_record_documents(
    *,
    case: Case,
    actor: Any,
    desk: Desk | None = None,
    documents: Sequence[Any],
    facts: Mapping[str, bool] | None = None,
    on_date: dt.date | None = None,
    scans: Mapping[int, tuple[bytes, str]] | None = None,
) -> tuple[Case, Any]:
    """§5.2, §6: the documents shown at this visit, evaluated by identity_docs.

    What was shown is recorded as evidence even when it does not satisfy the
    rules; then the case moves on, or the refusal says what is missing.
    ``scans`` maps a document's index in ``documents`` to its scanned copy
    (content, content type); where the city copies documents as scans, each
    counted identity document needs one before the check passes (§5.4).
    """
    with refusals_audited("case_record_documents", actor=actor, desk=desk, case=case):
        current = workflow_for(Case.objects.get(pk=case.pk))
        if current.state not in (CaseState.RECEIVED, CaseState.DOCUMENTS_CHECKED):
            raise Conflict(
                "case-state-conflict",
                _("This case is now “%(state)s”; that step is not possible any more.")
                % {"state": current.get_state_display()},
                extra={"state": current.state, "transition": "record_documents"},
            )
        # A refused step writes nothing: no evidence rows for a caller who may
        # not record documents (the permission is the transition's).
        case_check(current, "record_documents", actor=actor)
        if current.uses_jlis_answer_sheet:
            # §6.2 one-visit renewal: identity_docs then asks for the J-LIS sheet.
            facts = {**(facts or {}), "jlis_answer_sheet": True}
        if (
            current.procedure == Procedure.CERT_REVOKE
            and current.revocation_kind == RevocationKind.NOTIFICATION
        ):
            # §9.2: a notification is made because the card is gone; the rules
            # then ask for identity documents instead of the card.
            facts = {**(facts or {}), "card_lost": True}
        try:
            presented = _presented(documents)
        except (TypeError, ValueError) as exc:
            raise ApplicationError(
                "documents-invalid", _("The list of documents is not valid.")
            ) from exc
        if any(not 0 <= index < len(presented) for index in scans or {}):
            raise ApplicationError(
                "scan-document-unknown",
                _("A scanned copy was given for a document that was not shown."),
            )
        evidence, evaluation = evidence_record(
            case=current,
            visit=current.visit,
            documents=presented,
            clerk=actor,
            desk=desk,
            facts=facts,
            on_date=on_date,
        )
        for index, (content, content_type) in sorted((scans or {}).items()):
            scan_store(
                evidence=evidence[index],
                content=content,
                content_type=content_type,
                clerk=actor,
                desk=desk,
            )
        if not evaluation.satisfied:
            missing = "、".join(m.message_ja for m in evaluation.missing)
            raise ApplicationError(
                "documents-not-satisfied",
                _("The documents shown do not satisfy the rules: %(missing)s")
                % {"missing": missing},
                extra=evaluation.as_dict(),
            )
        uncopied = copies_missing(profile=current.municipality.profile, rows=evidence)
        if uncopied:
            raise ApplicationError(
                "scanned-copy-missing",
                _(
                    "Take the scanned copy of each identity document before the "
                    "check passes (this city keeps copies, §5.4): %(documents)s"
                )
                % {"documents": "、".join(row.kind.name_ja for row in uncopied)},
                extra={"documents": [row.kind.code for row in uncopied]},
            )
        with transaction.atomic():
            locked = case_lock(case.pk)
            if (
                locked.state == CaseState.DOCUMENTS_CHECKED
                and locked.documents_satisfied_visit == locked.visit
            ):
                # Recorded again at the same visit: the evidence row and its
                # audit entry are written; the state does not move, so no
                # history row "documents checked → documents checked".
                return locked, evaluation
            case_transition(
                locked,
                "record_documents",
                actor=actor,
                desk=desk,
                data={"visit": locked.visit, "used": list(evaluation.used)},
            )
    return locked, evaluation
