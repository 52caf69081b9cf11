"""Issuer-only commands through the desk's client: SIMULATION of J-LIS
(docs/reference/card-protocol.md §14.1).

A PIN reset, a new key and a certificate write each need a fresh cryptogram from
the simulated issuer over this card's id and challenge. A replayed cryptogram, or
one made for another card, is refused by the card and changes nothing.
"""

from __future__ import annotations

import pytest

from counter.errors import ApplicationError
from jpki_ops.pcsc import errors
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin
from tests.fixtures.card import _wait_reader_empty

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _issuer(simulated_issuer, *, card_id=None, log=None):
    def authorise(real_card_id, challenge, command):
        data = simulated_issuer.authorise_card_command(
            card_id=card_id or real_card_id, challenge=challenge, command=command
        ).external_authenticate_data
        if log is not None:
            log.append(data)
        return data

    return authorise


def _block(card, kind="authentication"):
    for _ in range(3):
        with pytest.raises((errors.WrongPin, errors.PinBlocked)):
            card.pin_verify(Pin(kind, "0000"))


def test_an_authorised_reset_unlocks_and_sets_the_new_pin(
    virtual_card, simulated_issuer
):
    with CardSession(virtual_card.reader) as card:
        _block(card)
        card.pin_reset(
            "authentication", Pin("authentication", "2580"), _issuer(simulated_issuer)
        )
        assert card.pin_status("authentication").tries_left == 3
        card.pin_verify(Pin("authentication", "2580"))


def test_unblock_only_keeps_the_old_pin(virtual_card, simulated_issuer):
    with CardSession(virtual_card.reader) as card:
        _block(card)
        card.pin_reset("authentication", None, _issuer(simulated_issuer))
        card.pin_verify(Pin("authentication", virtual_card.pins["auth_pin"]))


def test_a_replayed_authorisation_is_refused(virtual_card, simulated_issuer):
    used: list[bytes] = []
    with CardSession(virtual_card.reader) as card:
        _block(card)
        card.pin_reset("authentication", None, _issuer(simulated_issuer, log=used))
        _block(card)
        with pytest.raises(errors.IssuerAuthorisationRefused) as caught:
            card.pin_reset("authentication", None, lambda *_: used[0])
        assert caught.value.code == "issuer-authorisation-refused"
        assert card.pin_status("authentication").blocked


def test_an_authorisation_for_another_card_is_refused(virtual_card, simulated_issuer):
    with CardSession(virtual_card.reader) as card:
        _block(card)
        with pytest.raises(errors.IssuerAuthorisationRefused):
            card.pin_reset(
                "authentication",
                Pin("authentication", "2580"),
                _issuer(simulated_issuer, card_id="0123456789ABCDEF"),
            )
        assert card.pin_status("authentication").blocked


def test_a_wrong_shape_new_pin_is_refused_before_the_issuer_is_asked(
    virtual_card, simulated_issuer
):
    asked: list[bytes] = []
    with CardSession(virtual_card.reader) as card, pytest.raises(ApplicationError):
        card.pin_reset(
            "signing", Pin("signing", "short"), _issuer(simulated_issuer, log=asked)
        )
    assert asked == []


def test_a_card_pulled_out_during_the_certificate_write_is_left_consistent(
    virtual_card, simulated_issuer
):
    import datetime as dt

    authorise = _issuer(simulated_issuer)
    with CardSession(virtual_card.reader) as card:
        card_id = card.read_card_id()
        spki = card.key_generate("authentication", authorise)
    issued = simulated_issuer.issue_certificate(
        kind="authentication",
        public_key_der=spki,
        card_id=card_id,
        not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=365),
    )
    virtual_card.remove_when(lambda raw: raw[1] == 0xD6)  # UPDATE BINARY
    with pytest.raises(errors.CardRemoved), CardSession(virtual_card.reader) as card:
        card.certificate_write("authentication", issued.der, authorise)
    assert virtual_card.link.wait_removed()
    _wait_reader_empty(virtual_card.reader)  # pcscd has seen it go
    virtual_card.insert()
    with CardSession(virtual_card.reader) as card:
        contents = card.read_card()  # the new key has no certificate yet: said so
        assert contents.auth_certificate is None and contents.fingerprint is None
        with pytest.raises(errors.EmptyFile):
            card.read_certificate("authentication")
        card.certificate_write("authentication", issued.der, authorise)
        assert card.read_certificate("authentication") == issued.der
