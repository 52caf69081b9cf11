"""A holder renews a signing certificate that expires within the renewal window (§3).

The clerk opens a renewal for the signing certificate, records the card as the
document, and starts the card operation: the card generates a new key pair, the
simulated issuer certifies it, the desk agent writes the certificate onto the
virtual card and reads it back after the resident types the signing password on
the PIN pad. The old certificate is revoked as superseded; the new one is on the
card and in the register.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from django.utils import timezone

from counter.constants import CertificateStatus, CertificateStatusReason
from counter.models import Case, Certificate
from jpki_ops.cardsim import constants as c
from tests import factories as f

from .helpers import holder_of, pin_found_in_database, register_card
from .pages import ClerkScreens, PinPad

SIGNING_PASSWORD = "RENEW4CANARY"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _signing_certificate_on(card: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(
        card.state.files[f"jpki:{c.EF_SIGN_CERT:04X}"]
    )


def test_certificate_renewal(
    counter_world: Any,
    make_virtual_card: Any,
    desk_agent: Any,
    browser_context: Any,
    live_server: Any,
    shots: Any,
    server_requests: list[str],
) -> None:
    expires_soon = timezone.localdate() + dt.timedelta(days=40)
    resident = f.ResidentFactory(
        municipality=counter_world.municipality,
        name="渡辺 大輔",
        name_kana="ワタナベ ダイスケ",
    )
    card = make_virtual_card(
        holder=holder_of(resident),
        pins={"signing_password": SIGNING_PASSWORD},
        not_after=dt.datetime.combine(expires_soon, dt.time(14, 59, 59), dt.UTC),
    )
    old_certificate = _signing_certificate_on(card)
    db_card = register_card(resident, card, signing_expires_on=expires_soon)
    old_row = Certificate.objects.get(card=db_card, kind="signing")
    agent = desk_agent(card.reader)

    clerk = ClerkScreens(browser_context.new_page(), live_server.url, shots)
    pad = PinPad(browser_context.new_page(), agent.pinpad_url)
    pad.open()

    clerk.log_in("clerk")
    clerk.choose_desk(counter_world.desk)
    clerk.search("ワタナベ")
    clerk.shot("reception-search")
    clerk.choose_first_result()
    reference = clerk.open_case(procedure="cert_renew", certificate_kinds=("signing",))
    clerk.shot("case-opened")
    clerk.tick_documents("my_number_card@holder")
    clerk.record_documents()
    assert clerk.state() == "documents_checked"
    clerk.shot("documents-recorded")

    clerk.start_card_operation()
    clerk.shot("card-operation-started")
    # After the write the agent reads the new certificate back, which needs the
    # signing password (§3): the resident types it on the PIN pad.
    pad.wait_for_prompt(timeout=60_000)
    clerk.wait_for_card_stage("awaiting_pin")
    clerk.shot("card-written-read-back-needs-password")
    shots(pad.page, "pin-pad-signing-password")
    pad.type_pin(SIGNING_PASSWORD)

    clerk.wait_for_state("ready_to_complete")
    clerk.shot("certificate-written")
    clerk.complete()
    clerk.shot("receipt")

    case = Case.objects.get(reference=reference)
    assert case.state == "completed"
    new_certificate = _signing_certificate_on(card)
    assert new_certificate.serial_number != old_certificate.serial_number
    assert new_certificate.not_valid_after_utc.date() > expires_soon
    new_row = Certificate.objects.get(
        card=db_card, kind="signing", status=CertificateStatus.ACTIVE
    )
    assert new_row.pk != old_row.pk
    assert int(new_row.serial_number, 16) == new_certificate.serial_number
    old_row.refresh_from_db()
    assert old_row.status == CertificateStatus.REVOKED
    assert old_row.status_reason == CertificateStatusReason.SUPERSEDED
    assert pin_found_in_database(SIGNING_PASSWORD) == []
    assert not [r for r in server_requests if SIGNING_PASSWORD in r]
