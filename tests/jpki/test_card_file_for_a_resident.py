"""Making a resident's card file with the documented command (docs/virtual-card.md).

``python -m jpki_ops.cardsim new`` is how the demo makes the card it later
"inserts"; the certificates come from the simulated issuer with the validity of
docs/rules/03-validity.md §3 (5th birthday after issuance, 23:59:59 JST), and nothing in
the file
reveals a PIN.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography import x509

from counter.validity import nth_birthday_after
from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.__main__ import main
from jpki_ops.cardsim.personalise import individual_number_check_digit
from jpki_ops.cardsim.state import CardFile
from jpki_ops.models import IssuedCertificateRecord

pytestmark = pytest.mark.django_db


def test_new_card_for_a_resident(simulated_issuer, tmp_path, monkeypatch, capsys):
    path = tmp_path / "sato.json"
    monkeypatch.setenv("CARDSIM_AUTH_PIN", "4826")
    monkeypatch.setenv("CARDSIM_SIGNING_PASSWORD", "KAMO2026")
    assert (
        main(
            [
                "new",
                "--card-file",
                str(path),
                "--name",
                "佐藤\u3000花子",
                "--address",
                "東京都清瀬市元町一丁目２番３号",
                "--birth-date",
                "1990-07-01",
                "--gender",
                "2",
            ]
        )
        == 0
    )
    state = CardFile(path).load()
    assert "SIMULATION" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert "4826" not in text and "KAMO2026" not in text
    assert state.pins[c.PIN_SIGN].max_tries == 5
    assert state.pins[c.PIN_AUTH].matches(b"4826")
    assert state.pins[c.PIN_SIGN].matches(b"KAMO2026")

    auth = x509.load_der_x509_certificate(state.files["jpki:000A"])
    expected = nth_birthday_after(dt.date(1990, 7, 1), dt.date.today(), 5)
    jst = auth.not_valid_after_utc.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert (jst.date(), jst.time()) == (expected, dt.time(23, 59, 59))
    assert IssuedCertificateRecord.objects.filter(card_id=state.card_id).count() == 2
    number = state.files["card_info:0001"][3:15].decode()
    assert number[-1] == individual_number_check_digit(number[:11])
    assert json.loads(text)["format"] == "madoguchi-virtual-my-number-card/1"


def test_childs_card_has_no_signing_certificate(simulated_issuer, tmp_path):
    path = tmp_path / "child.json"
    main(
        [
            "new",
            "--card-file",
            str(path),
            "--name",
            "佐藤\u3000陽向",
            "--address",
            "東京都清瀬市元町一丁目２番３号",
            "--birth-date",
            "2016-04-02",
            "--gender",
            "1",
            "--no-signing-certificate",
        ]
    )
    state = CardFile(path).load()
    assert "jpki:0001" not in state.files
    assert state.keys[c.KEY_SIGN] is None
    assert "jpki:000A" in state.files


@pytest.mark.parametrize(
    ("first11", "check"),
    [("12345678901", "8"), ("00000000000", "0")],
)
def test_individual_number_check_digit(first11, check):
    assert individual_number_check_digit(first11) == check
