"""Card operations: what the clerk's screen asks of the card and the desk agent runs.

The server side of docs/reference/architecture.md's desk agent, one module per side. The
clerk's
screen calls :func:`card_operation_request` (:mod:`.requests`); the agent of that
desk claims it (:func:`card_operation_claim`, :mod:`.agent`), may report progress
(tries left, waiting for the PIN pad), asks for an issuer authorisation when the
card needs one (:mod:`.issuer`), and finishes with :func:`card_operation_complete`
or :func:`card_operation_fail`. Desk agents authenticate with the credentials of
:mod:`.credentials`. Every change is audited. No function here accepts or returns
a PIN: parameters and results are checked against the allow-lists of
:mod:`.rules`, and issuer authorisations cover a PIN *reset* without the new value
(docs/reference/card-protocol.md §14.1).
"""

from .agent import (
    card_operation_claim,
    card_operation_complete,
    card_operation_fail,
    card_operation_progress,
    card_operations_time_out,
    desk_agent_session_start,
)
from .credentials import (
    desk_agent_authenticate,
    desk_agent_challenge,
    desk_agent_credential_issue,
    desk_agent_credential_revoke,
    desk_agent_prove,
    desk_agent_session_proven,
)
from .identity import card_operation_identify
from .issuer import card_operation_authorise, card_operation_certify
from .manufacture import RECORD_PERMISSION, card_manufacture_record
from .reader import desk_reader_card, desk_reader_report
from .requests import card_operation_cancel, card_operation_request, pad_heading
from .rules import (
    FORBIDDEN_KEYS,
    PARAMETERS,
    PROGRESS_KEYS,
    REQUEST_TIMEOUT,
    RESULT_KEYS,
    RUN_TIMEOUT,
)

__all__ = [
    "FORBIDDEN_KEYS",
    "PARAMETERS",
    "PROGRESS_KEYS",
    "RECORD_PERMISSION",
    "REQUEST_TIMEOUT",
    "RESULT_KEYS",
    "RUN_TIMEOUT",
    "card_manufacture_record",
    "card_operation_authorise",
    "card_operation_cancel",
    "card_operation_certify",
    "card_operation_claim",
    "card_operation_complete",
    "card_operation_fail",
    "card_operation_identify",
    "card_operation_progress",
    "card_operation_request",
    "card_operations_time_out",
    "desk_agent_authenticate",
    "desk_agent_credential_issue",
    "desk_agent_credential_revoke",
    "desk_agent_challenge",
    "desk_agent_prove",
    "desk_agent_session_proven",
    "desk_agent_session_start",
    "desk_reader_card",
    "desk_reader_report",
    "pad_heading",
]
