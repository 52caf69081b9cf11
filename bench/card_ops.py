#!/usr/bin/env python
"""bench/card_ops: a full card read, the project's client against raw pyscard.

    python bench/card_ops.py [--rounds 200] [--reader "Virtual PCD 00 00"]

Starts what it needs (pcscd with the vpcd reader, a virtual card as its own
process, ``python -m jpki_ops.cardsim``) unless they are already running, and stops
only what it started, by pid. The card is personalised by a throw-away test CA
built with the simulated issuer's JPKI certificate profile (no database).

One "full card read" is ``CardSession.read_card()``: token info, the user-
authentication certificate, both CA certificates and both retry counters. The
APDUs it sends are recorded once; raw pyscard then sends exactly those APDUs. Both
run on an open connection (connecting is not timed), alternating round by round;
the figures are medians. Output, one line per figure:

    apdus: N
    client_ms: X
    raw_ms: Y
    ratio_vs_raw: Z
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
READER_PORTS = {"Virtual PCD 00 00": 35963, "Virtual PCD 00 01": 35964}


def _setup_django() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True, LANGUAGE_CODE="ja", INSTALLED_APPS=[])
    import django

    django.setup()


class BenchIssuer:
    """A throw-away CA with the simulated issuer's certificate profile (no DB)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        from jpki_ops.issuer import profile

        self.profile = profile
        now = dt.datetime.now(dt.UTC)
        self.keys = {}
        self.certs = {}
        for kind in ("authentication", "signing"):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.keys[kind] = key
            self.certs[kind] = profile.build_ca_certificate(
                kind=kind, key=key, now=now, crl_url=None
            )
        self.serial = 1000

    def personalise_card(self, *, card_id: str) -> bytes:
        return os.urandom(32)

    def ca_certificate(self, *, kind: str) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.certs[kind].public_bytes(serialization.Encoding.DER)

    def issue_certificate(
        self,
        *,
        kind: str,
        public_key_der: bytes,
        card_id: str,
        not_after: dt.datetime,
        holder: Any = None,
    ) -> Any:
        from types import SimpleNamespace

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.serial += 1
        public_key = serialization.load_der_public_key(public_key_der)
        assert isinstance(public_key, rsa.RSAPublicKey)
        cert = self.profile.build_end_entity_certificate(
            kind=kind,
            ca_key=self.keys[kind],
            ca_cert=self.certs[kind],
            public_key=public_key,
            serial=self.serial,
            not_before=dt.datetime.now(dt.UTC),
            not_after=not_after,
            holder=holder if kind == "signing" else None,
            municipality_code="13221",
            crl_url=None,
        )
        return SimpleNamespace(der=cert.public_bytes(serialization.Encoding.DER))


def _readers() -> list[str]:
    from smartcard.System import readers

    try:
        return [str(r) for r in readers()]
    except Exception:  # noqa: BLE001 - pcscd not running
        return []


def _card_present(reader: str) -> bool:
    from smartcard.System import readers

    for r in readers():
        if str(r) == reader:
            conn = r.createConnection()
            try:
                conn.connect()
            except Exception:  # noqa: BLE001
                return False
            conn.disconnect()
            return True
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--reader", default=None, help="default: a free vpcd slot")
    args = parser.parse_args()
    _setup_django()
    started: list[subprocess.Popen[bytes]] = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-card-ops-"))
    try:
        if "Virtual PCD 00 00" not in _readers():
            started.append(
                subprocess.Popen(
                    [shutil.which("pcscd") or "/usr/sbin/pcscd", "--foreground"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            deadline = time.monotonic() + 10
            while "Virtual PCD 00 00" not in _readers():
                if time.monotonic() > deadline or started[-1].poll() is not None:
                    raise SystemExit("bench: pcscd with the vpcd reader did not start")
                time.sleep(0.05)
        reader = args.reader or next(
            (r for r in READER_PORTS if not _card_present(r)), None
        )
        if reader is None:
            raise SystemExit("bench: both vpcd slots hold a card; pass --reader")
        if not _card_present(reader):
            from jpki_ops.cardsim import CardHolder, create_card_file

            card_file = workdir / "card.json"
            create_card_file(
                card_file,
                holder=CardHolder(
                    "山田\u3000太郎",
                    "東京都清瀬市中里五丁目８４２番地",
                    dt.date(1980, 2, 17),
                    "1",
                ),
                issuer=BenchIssuer(),  # type: ignore[arg-type]
                auth_pin="1234",
                card_info_pin="1234",
                resident_register_pin="1234",
                signing_password="ABC123",
                certificates_not_after=dt.datetime.now(dt.UTC)
                + dt.timedelta(days=1800),
            )
            started.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "jpki_ops.cardsim",
                        "--card-file",
                        str(card_file),
                        "--port",
                        str(READER_PORTS[reader]),
                    ],
                    cwd=REPO,
                    env={**os.environ, "PYTHONPATH": str(REPO)},
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            deadline = time.monotonic() + 10
            while not _card_present(reader):
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"bench: the virtual card never came up in {reader}"
                    )
                time.sleep(0.05)
        return _bench(reader, args.rounds)
    finally:
        for proc in reversed(started):
            _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _bench(reader: str, rounds: int) -> int:
    from smartcard.System import readers

    from jpki_ops.pcsc import transport
    from jpki_ops.pcsc.client import CardSession

    # Record the exact APDUs of one full read.
    recorded: list[bytes] = []
    original = transport.Connection.transmit

    def recording(self: Any, apdu: bytes) -> tuple[bytes, int]:
        recorded.append(bytes(apdu))
        return original(self, apdu)

    transport.Connection.transmit = recording  # type: ignore[method-assign]
    with CardSession(reader) as card:
        card.read_card()
    transport.Connection.transmit = original  # type: ignore[method-assign]
    commands = [list(a) for a in recorded]

    raw_reader = next(r for r in readers() if str(r) == reader)
    client_ms: list[float] = []
    raw_ms: list[float] = []
    for _ in range(rounds):
        with CardSession(reader) as card:
            t0 = time.perf_counter()
            card.read_card()
            client_ms.append((time.perf_counter() - t0) * 1000)
        conn = raw_reader.createConnection()
        conn.connect()
        t0 = time.perf_counter()
        for command in commands:
            _data, sw1, _sw2 = conn.transmit(command)
            if sw1 not in (0x90, 0x63):
                raise SystemExit(f"raw pyscard: unexpected SW {sw1:02X}")
        raw_ms.append((time.perf_counter() - t0) * 1000)
        conn.disconnect()
    client = statistics.median(client_ms)
    raw = statistics.median(raw_ms)
    print(f"apdus: {len(commands)}")  # noqa: T201
    print(f"client_ms: {client:.3f}")  # noqa: T201
    print(f"raw_ms: {raw:.3f}")  # noqa: T201
    print(f"ratio_vs_raw: {client / raw:.3f}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
