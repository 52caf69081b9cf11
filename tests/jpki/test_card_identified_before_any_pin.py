# ruff: noqa: F811 - pytest fixtures imported from test_agent_fixtures
"""The card in the reader is identified by the server before any PIN, even the
first time it is seen (issue 17; docs/adr/0006-card-identity-before-any-pin.md).

Real chain: pyscard → pcscd → vpcd → the virtual card; the issuer is the simulator.
Every case here has NO recorded fingerprint: the server decides by the issuer's
register (which card a certificate was issued to) or by the manufacture identifier.
Each bad input is refused before any PIN is asked or anything is written, and the
card is read back through pcscd unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from counter.models import AuditEvent
from jpki_ops.agent.testing import pinpad_state
from jpki_ops.cardsim import CardHolder, CardLink, VirtualCard
from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.state import CardFile
from jpki_ops.models import CardManufactureRecord, IssuedCertificateRecord
from jpki_ops.pcsc.client import CardSession, public_key_fingerprint
from jpki_ops.pcsc.pin import Pin
from tests.factories import CardFactory, CaseFactory, ResidentFactory
from tests.fixtures.card import make_card_file

from .test_agent_fixtures import desk_agent  # noqa: F401

AUTH_CERT = f"jpki:{c.EF_AUTH_CERT:04X}"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OTHER_HOLDER = CardHolder(
    name="田中\u3000誠",
    address="神奈川県厚木市中町三丁目１７番１７号",
    birth_date=dt.date(1975, 6, 1),
    gender="1",
)


def _case_for(desk_agent: Any, manufacture_id: str | None) -> Any:
    """A case at the agent's desk whose card was never read (no fingerprint)."""
    office = desk_agent.desk.office
    resident = ResidentFactory(municipality=office.municipality)
    card = CardFactory(resident=resident, auth_key_fingerprint="")
    if manufacture_id is not None:
        CardManufactureRecord.objects.create(card=card, manufacture_id=manufacture_id)
    return CaseFactory(resident=resident, card=card, office=office)


def _other_card_id(tmp_path: Any, issuer: Any, **kwargs: Any) -> str:
    """Another card, made by the same issuer, lying at home (not in the reader)."""
    path, _pins = make_card_file(tmp_path / "other.json", issuer, **kwargs)
    return CardFile(path).load().card_id


def _card_as_pcscd_reads_it(reader: str, kinds: tuple[str, ...]) -> dict[str, Any]:
    with CardSession(reader) as card:
        return {
            "tries": {k: card.pin_status(k).tries_left for k in kinds},
            "auth": card.read_card().auth_certificate,
            "card_id": card.read_card_id(),
        }


def _refused_untouched(desk_agent: Any, case: Any, code: str) -> None:
    kinds = ("authentication", "card_info", "resident_register")
    before = _card_as_pcscd_reads_it(desk_agent.reader, kinds)
    files_before = dict(desk_agent.card.state.files)
    state_before = case.state

    op = desk_agent.wait(
        desk_agent.request("pin_reset", {"pin_kind": "authentication"}, case=case)
    )

    assert (op.state, op.error_code) == ("failed", code)
    assert op.error_message and not op.error_message.isascii()  # Japanese
    assert op.progress.get("stage") != "awaiting_pin"
    assert pinpad_state(desk_agent.pad_url)["prompt"] is None  # no PIN asked
    assert not AuditEvent.objects.filter(action="card_command_authorised").exists()
    assert AuditEvent.objects.filter(
        action="card_operation_failed", object_id=str(op.pk), data__error_code=code
    ).exists()
    case.refresh_from_db()
    assert case.state == state_before
    case.card.refresh_from_db()
    assert case.card.auth_key_fingerprint == ""  # nothing recorded on a refusal
    assert dict(desk_agent.card.state.files) == files_before
    assert _card_as_pcscd_reads_it(desk_agent.reader, kinds) == before


def test_a_card_of_another_resident_is_refused_by_the_issuers_record(
    desk_agent, tmp_path, simulated_issuer
):
    holders_card = _other_card_id(tmp_path, simulated_issuer, holder=OTHER_HOLDER)
    _refused_untouched(
        desk_agent, _case_for(desk_agent, holders_card), "card-not-holders"
    )


def test_a_card_whose_certificates_the_issuer_does_not_know_is_refused(
    desk_agent, tmp_path, simulated_issuer
):
    in_reader = desk_agent.card.card_id
    IssuedCertificateRecord.objects.filter(card_id=in_reader).delete()
    _refused_untouched(
        desk_agent, _case_for(desk_agent, in_reader), "card-unknown-to-issuer"
    )


def test_a_case_card_with_no_record_at_all_is_refused_not_passed(desk_agent):
    _refused_untouched(
        desk_agent, _case_for(desk_agent, None), "card-identity-unrecorded"
    )


def test_a_card_with_no_certificates_that_is_not_the_residents_is_refused(
    desk_agent, tmp_path, simulated_issuer
):
    # Put a card without certificates into the agent's reader in place of the
    # default one (same vpcd slot).
    path, _pins = make_card_file(
        tmp_path / "blank.json", simulated_issuer, with_certificates=False
    )
    desk_agent.card.remove()
    desk_agent.card.link.stop()
    desk_agent.card.link = CardLink(
        VirtualCard.from_file(str(path)), port=desk_agent.card.port
    ).start()
    desk_agent.card.card_file = path
    holders_card = _other_card_id(tmp_path, simulated_issuer, holder=OTHER_HOLDER)
    _refused_untouched(
        desk_agent,
        _case_for(desk_agent, holders_card),
        "card-without-certificates-unknown",
    )


def test_the_residents_own_card_is_recognised_and_its_fingerprint_recorded(
    desk_agent,
):
    case = _case_for(desk_agent, desk_agent.card.card_id)
    op = desk_agent.request("pin_reset", {"pin_kind": "authentication"}, case=case)
    prompt = desk_agent.prompt()
    assert prompt["heading"] == {
        "procedure": case.get_procedure_display(),
        "name_kana": case.resident.name_kana,
        "case_reference": case.reference,
    }
    desk_agent.type_pin("2468")
    op = desk_agent.wait(op)
    assert op.state == "succeeded", op.error_message
    assert op.progress["card_match"] == "issuer-record"
    case.card.refresh_from_db()
    own = public_key_fingerprint(desk_agent.card.state.files[AUTH_CERT])
    assert case.card.auth_key_fingerprint == own
    assert AuditEvent.objects.filter(action="card_fingerprint_recorded").exists()


def test_a_card_swapped_between_the_identity_check_and_the_command_is_left_alone(
    desk_agent, tmp_path, simulated_issuer
):
    case = _case_for(desk_agent, desk_agent.card.card_id)
    op = desk_agent.request("pin_verify", {"pin_kind": "authentication"}, case=case)
    desk_agent.prompt()  # identified; the pad asks for the PIN
    # Now another resident's card takes its place in the same reader.
    other_path, _pins = make_card_file(
        tmp_path / "swapped-in.json", simulated_issuer, holder=OTHER_HOLDER
    )
    desk_agent.card.remove()
    desk_agent.card.link.stop()
    swapped = CardLink(
        VirtualCard.from_file(str(other_path)), port=desk_agent.card.port
    ).start()
    try:
        desk_agent.type_pin("0000")  # a wrong PIN would cost the other card a try
        op = desk_agent.wait(op)
        assert op.state == "failed"
        assert op.error_code in ("card-swapped", "card-removed")
        with CardSession(desk_agent.reader) as card:
            assert card.read_card_id() == swapped.card.state.card_id
            assert card.pin_status("authentication").tries_left == 3
            card.pin_verify(Pin("authentication", "1234"))  # still the old PIN
    finally:
        swapped.stop()
