"""Case services: the only way a case is opened or moved
(docs/reference/style.md §3.3–3.5).

Screens, API views and tasks call these; each follows the one mutation path of
:mod:`counter.services.case_flow` (lock → transition → history → audit → side
effects) and leaves an audit entry when it refuses. Signatures are stable: the
clerk screens and the API build on them. The procedures live by phase — opening
(:mod:`.case_opening`), documents (:mod:`.case_documents`), card work
(:mod:`.case_card_work`), closing (:mod:`.case_closing`) — and are named here so
callers keep one import.
"""

from __future__ import annotations

from .case_card_work import (
    case_card_operation_finished,
    case_request_card_operation,
    on_card_operation_finished,
)
from .case_closing import (
    case_approve_exception,
    case_cancel,
    case_complete,
    case_refuse,
    case_reject_exception,
)
from .case_documents import case_record_documents
from .case_opening import case_open

__all__ = [
    "case_approve_exception",
    "case_cancel",
    "case_card_operation_finished",
    "case_complete",
    "case_open",
    "case_record_documents",
    "case_refuse",
    "case_reject_exception",
    "case_request_card_operation",
    "on_card_operation_finished",
]
