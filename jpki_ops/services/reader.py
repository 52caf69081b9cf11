"""The card in a desk's reader while no operation runs, and whether it is the
case's card (issue 17; docs/adr/0020-card-manufacture-numbers-and-the-reader-watch.md).

The idle desk agent reports what the card in its reader gives without a PIN — the
same reading as the identify step — or that the reader is empty. The server asks
the issuer which card the certificate was issued to once per card put in, keeps the
answer (never the certificate's serial, §16) as the desk's reader state for
:data:`READER_REPORT_TTL` seconds in the shared cache, and audits each change of
card. The clerk's panel then shows, before カード処理を開始, whether that card is
the case's: the identify step's own decision (:func:`.identity.card_match`). It is a
hint for the clerk; the identify step still decides when the operation runs.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from counter.audit import audit_record
from counter.models import Card, Desk

from .identity import CardEvidence, CardReading, card_evidence, card_match
from .records import agent_label

#: A report older than this is no report: the agent stopped, or its PC did.
READER_REPORT_TTL = 30
#: What the clerk's panel says of the card in the reader.
READER_HOLDERS = "holders"
READER_OTHER = "other"
READER_ABSENT = "absent"
READER_UNCONFIRMED = "unconfirmed"
READER_UNKNOWN = "unknown"


def _key(desk: Desk) -> str:
    return f"madoguchi:reader:{desk.pk}"


def desk_reader_report(
    *, desk: Desk, agent_session: str, reading: dict[str, Any] | None
) -> dict[str, Any]:
    """Store the idle agent's report (``reading`` None: no card in the reader)."""
    before = cache.get(_key(desk))
    evidence: CardEvidence | None = None
    if reading is not None:
        card_reading = CardReading.from_agent(reading)
        same_card = (
            before is not None
            and before.get("present")
            and before.get("card_id") == card_reading.card_id
            and before.get("fingerprint") == card_reading.fingerprint
        )
        evidence = (
            CardEvidence(before["card_id"], before["fingerprint"], before["issued_to"])
            if same_card
            else card_evidence(card_reading)
        )
    state: dict[str, Any] = {
        "present": evidence is not None,
        **(asdict(evidence) if evidence is not None else {}),
        "agent_session": agent_session,
        "at": timezone.now().isoformat(),
    }
    cache.set(_key(desk), state, READER_REPORT_TTL)
    changed = before is None or (
        before.get("present"),
        before.get("card_id"),
    ) != (state["present"], state.get("card_id"))
    if changed:
        audit_record(
            action="card_reader_card_changed",
            actor_label=agent_label(desk),
            desk=desk,
            data={"present": state["present"]},
        )
    return {"present": state["present"]}


def desk_reader_card(*, desk: Desk | None, card: Card | None) -> str:
    """Is the card in ``desk``'s reader ``card``? One of the ``READER_*`` words."""
    state = cache.get(_key(desk)) if desk is not None else None
    if state is None:
        return READER_UNKNOWN
    if not state["present"]:
        return READER_ABSENT
    if card is None:
        return READER_UNCONFIRMED
    evidence = CardEvidence(state["card_id"], state["fingerprint"], state["issued_to"])
    refusal, _match = card_match(card, evidence)
    if refusal is None:
        return READER_HOLDERS
    if refusal in ("card-not-holders", "card-without-certificates-unknown"):
        return READER_OTHER
    return READER_UNCONFIRMED
