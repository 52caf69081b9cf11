# ruff: noqa: F811 - pytest fixtures imported from test_agent_fixtures
"""The desk agent runs what the clerk's screen requests (docs/reference/architecture.md,
desk agent).

Real chain: the clerk requests a card operation (a database row), the agent
long-polls the live server, runs it through pyscard → pcscd → vpcd → the virtual
card, asks the resident for PINs on its 127.0.0.1 PIN pad, and posts the outcome.
docs/rules/02-certificates-and-pins.md §2 (tries, locks, last-try warning), §11 (reset
at the counter), §16.
"""

from __future__ import annotations

import pytest
from cryptography import x509

from counter.models import AuditEvent
from jpki_ops.agent.testing import pinpad_state
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.pin import Pin
from tests.fixtures.card import _wait_reader_empty

from .test_agent_fixtures import clerk_user, desk_agent  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_read_card_reports_tries_and_certificates_and_is_audited(desk_agent):
    op = desk_agent.wait(desk_agent.request("read_card"))
    assert op.state == "succeeded", op.error_message
    assert op.result["token"] == "JPKIAPICCTOKEN2"
    assert op.result["pins"]["authentication"]["tries_left"] == 3
    assert op.result["pins"]["signing"]["tries_left"] == 5
    assert "serial" not in op.result["certificates"]["authentication"]  # §16
    assert len(op.result["card_fingerprint"]) == 64
    actions = list(
        AuditEvent.objects.filter(
            object_type="jpki_ops.cardoperation", object_id=str(op.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "card_operation_requested",
        "card_operation_claimed",
        "card_operation_card_identified",
        "card_operation_succeeded",
    ]


def test_a_wrong_pin_decrements_and_the_clerk_sees_tries_left(
    desk_agent, clerk_user, client
):
    op = desk_agent.request("pin_verify", {"pin_kind": "authentication"})
    prompt = desk_agent.prompt()
    assert prompt["kind"] == "authentication" and prompt["tries_left"] == 3
    status, _body = desk_agent.type_pin("0000")
    assert status == 200
    op = desk_agent.wait(op)
    assert (op.state, op.error_code) == ("failed", "pin-wrong")
    assert op.result == {"pin_kind": "authentication", "tries_left": 2}
    # The resident sees the outcome on the PIN pad too (no card data, no PIN).
    assert pinpad_state(desk_agent.pad_url)["message"] == op.error_message
    client.force_login(clerk_user)
    seen = client.get(f"/api/v1/desk/operations/{op.pk}/").json()
    assert seen["error_code"] == "pin-wrong"
    assert seen["result"]["tries_left"] == 2
    assert seen["error_message"]  # the Japanese message for the clerk


def test_a_pin_of_the_wrong_shape_is_refused_on_the_pad_and_costs_no_try(desk_agent):
    op = desk_agent.request("pin_verify", {"pin_kind": "authentication"})
    status, body = desk_agent.type_pin("12345")
    assert status == 400
    assert body["ok"] is False and body["message"]
    assert desk_agent.prompt()["error"] == body["message"]  # still asking
    refusal = AuditEvent.objects.get(action="card_operation_pin_refused")
    assert refusal.data["code"] == "pin-too-long"
    assert refusal.data["pin_kind"] == "authentication"
    status, _ = desk_agent.cancel_pin()
    op = desk_agent.wait(op)
    assert (op.state, op.error_code) == ("failed", "pin-entry-cancelled")
    with CardSession(desk_agent.reader) as card:
        assert card.pin_status("authentication").tries_left == 3


def test_before_the_last_try_the_clerk_is_warned_and_nothing_is_spent(desk_agent):
    with CardSession(desk_agent.reader) as card:
        for _ in range(2):
            with pytest.raises(Exception):  # noqa: B017 - WrongPin
                card.pin_verify(Pin("authentication", "0000"))
    op = desk_agent.wait(
        desk_agent.request("pin_verify", {"pin_kind": "authentication"})
    )
    assert (op.state, op.error_code) == ("failed", "pin-last-try-unconfirmed")
    assert op.progress["last_try"] is True and op.progress["tries_left"] == 1
    with CardSession(desk_agent.reader) as card:
        assert card.pin_status("authentication").tries_left == 1
    # Confirmed by the clerk: the pad shows the warning, the right PIN restores 3.
    op = desk_agent.request(
        "pin_verify", {"pin_kind": "authentication", "confirm_last_try": True}
    )
    assert desk_agent.prompt()["last_try"] is True
    desk_agent.type_pin(desk_agent.card.pins["auth_pin"])
    op = desk_agent.wait(op)
    assert op.state == "succeeded" and op.result["tries_left"] == 3


def test_a_blocked_pin_fails_without_asking_the_resident(desk_agent):
    with CardSession(desk_agent.reader) as card:
        for _ in range(3):
            with pytest.raises(Exception):  # noqa: B017 - WrongPin / PinBlocked
                card.pin_verify(Pin("card_info", "0000"))
    op = desk_agent.wait(
        desk_agent.request(
            "pin_verify", {"pin_kind": "card_info", "confirm_last_try": True}
        )
    )
    assert (op.state, op.error_code) == ("failed", "pin-blocked")
    assert op.progress["tries_left"] == 0


def test_change_pin_on_the_pad(desk_agent):
    op = desk_agent.request("pin_change", {"pin_kind": "signing"})
    desk_agent.type_pin(desk_agent.card.pins["signing_password"])
    assert desk_agent.type_pin("NEWPASS1", confirm="NEWPASS2")[0] == 400  # typo
    assert desk_agent.type_pin("NEWPASS1")[0] == 200
    op = desk_agent.wait(op)
    assert op.state == "succeeded", op.error_message
    with CardSession(desk_agent.reader) as card:
        card.pin_verify(Pin("signing", "NEWPASS1"))


def test_an_issuer_authorised_reset_unlocks_a_blocked_pin(desk_agent):
    with CardSession(desk_agent.reader) as card:
        for _ in range(3):
            with pytest.raises(Exception):  # noqa: B017
                card.pin_verify(Pin("authentication", "0000"))
        assert card.pin_status("authentication").blocked
    op = desk_agent.request("pin_reset", {"pin_kind": "authentication"})
    desk_agent.type_pin("2468")
    op = desk_agent.wait(op)
    assert op.state == "succeeded", op.error_message
    assert op.result["tries_left"] == 3
    assert op.progress["authorised"] == ["2C"]
    with CardSession(desk_agent.reader) as card:
        card.pin_verify(Pin("authentication", "2468"))
        # The result names the card that was in the reader, for the case to check.
        assert op.result["card_fingerprint"] == card.read_card().fingerprint
    assert AuditEvent.objects.filter(
        action="card_command_authorised",
        object_type="jpki_ops.cardoperation",
        object_id=str(op.pk),
    ).exists()


def test_issue_a_certificate_onto_the_card_and_read_it_back(
    desk_agent, simulated_issuer
):
    before = desk_agent.card.state.files
    op = desk_agent.wait(
        desk_agent.request(
            "cert_issue",
            {
                "certificate_kind": "authentication",
                "not_after": "2030-02-17T14:59:59+00:00",
            },
        ),
        timeout=60,
    )
    assert op.state == "succeeded", op.error_message
    with CardSession(desk_agent.reader) as card:
        der = card.read_certificate("authentication")
        contents = card.read_card()
    assert der != before.get("jpki:000A")
    cert = x509.load_der_x509_certificate(der)
    ca = x509.load_der_x509_certificate(
        simulated_issuer.ca_certificate(kind="authentication")
    )
    cert.verify_directly_issued_by(ca)
    assert op.result["certificate_fingerprint"] == op.progress["certificate_sha256"]
    assert op.progress["authorised"] == ["46", "D6"]
    # The new key signs, and the signature checks against the new certificate.
    sign = desk_agent.request("sign_test", {"certificate_kind": "authentication"})
    desk_agent.type_pin(desk_agent.card.pins["auth_pin"])
    sign = desk_agent.wait(sign)
    assert sign.state == "succeeded" and sign.result["signature_valid"] is True
    assert contents.fingerprint != op.result.get("card_fingerprint")


def test_a_card_pulled_out_mid_operation_fails_cleanly(desk_agent):
    desk_agent.card.remove_after_apdus(4)
    op = desk_agent.wait(desk_agent.request("read_card"))
    assert (op.state, op.error_code) == ("failed", "card-removed")
    assert op.error_message
    # Put back, the same card reads normally: nothing was left half done.
    assert desk_agent.card.link.wait_removed()
    _wait_reader_empty(desk_agent.reader)
    desk_agent.card.insert()
    again = desk_agent.wait(desk_agent.request("read_card"))
    assert again.state == "succeeded", again.error_message


def test_a_signing_certificate_for_a_case_carries_the_residents_items(
    desk_agent, simulated_issuer
):
    from counter.constants import Procedure
    from jpki_ops.cardsim import constants as c
    from jpki_ops.issuer.profile import OID_ADDRESS, OID_NAME
    from jpki_ops.pcsc.client import public_key_fingerprint
    from tests.factories import CardFactory, CaseFactory, ResidentFactory

    office = desk_agent.desk.office
    resident = ResidentFactory(
        municipality=office.municipality,
        name="厚木\u3000花子",
        address="神奈川県厚木市中町二丁目",
    )
    # The case's card is the one in the reader (checked before any PIN, issue 17).
    in_reader = desk_agent.card.state.files[f"jpki:{c.EF_AUTH_CERT:04X}"]
    card = CardFactory(
        resident=resident, auth_key_fingerprint=public_key_fingerprint(in_reader)
    )
    case = CaseFactory(
        resident=resident, card=card, office=office, procedure=Procedure.CERT_ISSUE
    )
    op = desk_agent.request("cert_issue", {"certificate_kind": "signing"}, case=case)
    # Reading the new signing certificate back needs the signing password
    # (docs/reference/card-protocol.md §3).
    desk_agent.type_pin(desk_agent.card.pins["signing_password"])
    op = desk_agent.wait(op, timeout=60)
    assert op.state == "succeeded", op.error_message
    assert op.result["certificate_serial"] == op.progress["certificate_serial"]
    with CardSession(desk_agent.reader) as card:
        contents = card.read_card(
            signing_password=Pin("signing", desk_agent.card.pins["signing_password"])
        )
    cert = x509.load_der_x509_certificate(contents.sign_certificate)
    cert.verify_directly_issued_by(
        x509.load_der_x509_certificate(simulated_issuer.ca_certificate(kind="signing"))
    )
    assert f"{cert.serial_number:X}" == op.result["certificate_serial"]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    other = {n.type_id: n.value for n in names if isinstance(n, x509.OtherName)}
    assert "厚木\u3000花子".encode() in other[OID_NAME]
    assert "神奈川県厚木市中町二丁目".encode() in other[OID_ADDRESS]
