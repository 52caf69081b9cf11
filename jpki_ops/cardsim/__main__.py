"""Command line of the virtual My Number Card (SIMULATION).

Insert a card (serve it to pcscd's vpcd reader until vpcd closes or SIGTERM)::

    python -m jpki_ops.cardsim --card-file var/cards/yamada.json [--port 35963]

Make a card file for a resident (needs Django settings: the simulated issuer
certifies the keys and records the certificates)::

    python -m jpki_ops.cardsim new --card-file var/cards/yamada.json \
        --name "山田　太郎" --address "東京都清瀬市中里５丁目８４２番地" \
        --birth-date 1980-02-17 --gender 1

Show what a card holds (never a PIN)::

    python -m jpki_ops.cardsim show --card-file var/cards/yamada.json

PINs for ``new`` come from ``--auth-pin`` etc. or the environment variables
``CARDSIM_AUTH_PIN``, ``CARDSIM_SIGNING_PASSWORD``, ``CARDSIM_CARD_INFO_PIN`` and
``CARDSIM_RESIDENT_REGISTER_PIN``; they are test PINs of a simulated card.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from counter.constants import CertificateKind
from counter.validity import card_expiry, certificate_expiry
from jpki_ops.issuer.gateway import HolderAttributes, get_issuer
from jpki_ops.issuer.profile import not_after_for

from .card import VirtualCard
from .personalise import CardHolder, create_card_file
from .state import CardFile
from .vpcd import DEFAULT_HOST, DEFAULT_PORT, CardLink, VpcdUnreachable

logger = logging.getLogger("jpki_ops.cardsim")


def _run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jpki_ops.cardsim",
        description="Serve a SIMULATED My Number Card to pcscd through vpcd.",
    )
    parser.add_argument("--card-file", required=True, help="the card's JSON state file")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="vpcd port: 35963 = 'Virtual PCD 00 00', 35964 = 'Virtual PCD 00 01'",
    )
    parser.add_argument("--connect-timeout", type=float, default=10.0)
    parser.add_argument(
        "--remove-after-apdus",
        type=int,
        default=None,
        metavar="N",
        help="answer N APDUs, then pull the card out when the next one arrives",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log INS and SW per APDU"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s cardsim[%(process)d] %(message)s",
    )
    card = VirtualCard.from_file(args.card_file, verbose=args.verbose)
    link = CardLink(
        card,
        host=args.host,
        port=args.port,
        connect_timeout=args.connect_timeout,
        remove_after_apdus=args.remove_after_apdus,
    )

    def _stop(signum: int, _frame: FrameType | None) -> None:
        link.request_stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        outcome = link.serve_forever()
    except VpcdUnreachable as exc:
        sys.stderr.write(f"cardsim: {exc}\n")
        return 2
    card_id = card.state.card_id
    sys.stderr.write(f"cardsim: card {card_id} out of the reader ({outcome})\n")
    return 0


def _new(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jpki_ops.cardsim new",
        description="Make a SIMULATED card file for a resident; the simulated issuer "
        "certifies its keys.",
    )
    env = os.environ.get
    parser.add_argument("--card-file", required=True)
    parser.add_argument("--name", required=True, help="family name, U+3000, given name")
    parser.add_argument("--address", required=True)
    parser.add_argument("--birth-date", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--gender", required=True, choices=["1", "2", "9"])
    parser.add_argument("--individual-number", default=None)
    parser.add_argument("--municipality-code", default="13221")
    parser.add_argument("--auth-pin", default=env("CARDSIM_AUTH_PIN", "1234"))
    parser.add_argument(
        "--signing-password", default=env("CARDSIM_SIGNING_PASSWORD", "ABC123")
    )
    parser.add_argument(
        "--no-signing-certificate",
        action="store_true",
        help="a child's card: no signing key, certificate or password",
    )
    parser.add_argument("--card-info-pin", default=env("CARDSIM_CARD_INFO_PIN", "1234"))
    parser.add_argument(
        "--resident-register-pin", default=env("CARDSIM_RESIDENT_REGISTER_PIN", "1234")
    )
    parser.add_argument(
        "--no-certificates",
        action="store_true",
        help="keys only, certificate EFs empty",
    )
    parser.add_argument("--card-id", default=None)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.demo")
    import django

    django.setup()  # the simulated issuer keeps its register in the database
    today = dt.date.today()
    card_expires = card_expiry(
        issued_on=today, birth_date=args.birth_date, residence_period_end=None
    )
    validity = certificate_expiry(
        kind=CertificateKind.AUTHENTICATION,
        issued_on=today,
        birth_date=args.birth_date,
        card_expires_on=card_expires,
    )
    holder = HolderAttributes(
        name=args.name,
        address=args.address,
        birth_date=args.birth_date,
        gender=args.gender,
        municipality_code=args.municipality_code,
    )
    state = create_card_file(
        args.card_file,
        holder=CardHolder(
            name=args.name,
            address=args.address,
            birth_date=args.birth_date,
            gender=args.gender,
            individual_number=args.individual_number,
        ),
        certificate_holder=holder,
        issuer=get_issuer(),  # type: ignore[arg-type]
        auth_pin=args.auth_pin,
        signing_password=None if args.no_signing_certificate else args.signing_password,
        card_info_pin=args.card_info_pin,
        resident_register_pin=args.resident_register_pin,
        certificates_not_after=None
        if args.no_certificates
        else not_after_for(validity.expires_on),
        card_id=args.card_id,
        label=args.label,
    )
    _out(f"card {state.card_id} written to {args.card_file} (SIMULATION)")
    return 0


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _show(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m jpki_ops.cardsim show")
    parser.add_argument("--card-file", required=True)
    args = parser.parse_args(argv)
    state = CardFile(args.card_file).load()
    _out(f"card id: {state.card_id}  label: {state.label or '-'}  (SIMULATION)")
    for name, pin in sorted(state.pins.items()):
        _out(f"PIN {name}: {pin.tries_left}/{pin.max_tries} tries left")
    for name, pem in sorted(state.keys.items()):
        _out(f"key {name}: {'present' if pem else 'absent'}")
    for name in sorted(state.files):
        _out(f"EF {name}: {len(state.files[name])} bytes")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "new":
        return _new(args[1:])
    if args and args[0] == "show":
        return _show(args[1:])
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
