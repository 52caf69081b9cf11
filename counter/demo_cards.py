"""The card half of the demo: pcscd + vpcd, virtual cards, the desk agent.

``manage.py run_demo`` calls :func:`start`. Each demo resident with a card gets a
card file under ``var/demo/cards/`` (made by the SIMULATED issuer, its fingerprint
recorded on the resident's ``Card``); one card is inserted in the virtual reader and
``manage.py demo_card insert D0012`` swaps it for another resident's. Everything is
optional: on a machine without pcscd or the vpcd driver the demo still serves the
counter screens and says what is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.contrib.auth import get_user_model

from counter.constants import PinKind, SmartphonePlatform
from counter.models import Card, Certificate, Desk
from counter.services.certificates import certificates_sync_from_issuer
from jpki_ops.agent.proof import agent_key_generate
from jpki_ops.cardsim import constants as c
from jpki_ops.cardsim.personalise import CardHolder, create_card_file
from jpki_ops.cardsim.state import CardFile
from jpki_ops.issuer.gateway import HolderAttributes, get_issuer
from jpki_ops.services import card_manufacture_record, desk_agent_credential_issue

try:  # the PC/SC client needs pyscard; without it the demo serves the screens only
    from jpki_ops.pcsc.client import public_key_fingerprint
except ImportError:  # pragma: no cover - reported by missing_parts()
    public_key_fingerprint = None  # type: ignore[assignment]

VPCD_DRIVER_DIRS = [Path("/usr/lib/pcsc/drivers/serial"), Path("/usr/lib/pcsc/drivers")]
READER = "Virtual PCD 00 00"
#: Residents who revoked their signing certificate at home with the
#: 利用者クライアントソフト: J-LIS knows, the counter's rows do not (§9.1).
REVOKED_AT_HOME = {"D0024"}
#: Residents who registered a phone for smartphone certificates in the
#: マイナポータル app on the day the card files are made (§12.1).
SMARTPHONE_REGISTERED = {"D0014": SmartphonePlatform.IPHONE}
AUTH_CERT = f"jpki:{c.EF_AUTH_CERT:04X}"
FIRST_CARD = "D0001"  # 山田 太郎, an adult with both certificates
# Test PINs of the simulated demo cards, printed by the demo (never real PINs).
DEMO_PINS = {
    "auth_pin": "1234",
    "card_info_pin": "1234",
    "resident_register_pin": "1234",
    "signing_password": "DEMO2026",
}
#: §11.1: the PINs a kiosk resets, as the card's key reference and the demo value.
KIOSK_PINS: dict[str, tuple[str, str]] = {
    PinKind.SIGNING: (c.PIN_SIGN, DEMO_PINS["signing_password"]),
    PinKind.AUTHENTICATION: (c.PIN_AUTH, DEMO_PINS["auth_pin"]),
}


def demo_dir() -> Path:
    path = Path(settings.BASE_DIR) / "var" / "demo"
    (path / "cards").mkdir(parents=True, exist_ok=True)
    return path


def missing_parts() -> str | None:
    try:
        import smartcard  # noqa: F401
    except ImportError:
        return "pyscard is not installed (needs swig and libpcsclite-dev)"
    if shutil.which("pcscd") is None:
        return "pcscd is not installed (Debian: apt-get install pcscd)"
    if not any(d.glob("libifdvpcd*") for d in VPCD_DRIVER_DIRS if d.exists()) and not (
        Path("/etc/reader.conf.d/vpcd").exists()
    ):
        return "the vpcd driver is missing (Debian: apt-get install vsmartcard-vpcd)"
    return None


def card_files_create() -> int:
    """One card file per demo resident with an active card (idempotent)."""
    assert public_key_fingerprint is not None, missing_parts()
    issuer = get_issuer()
    made = 0
    cards = Card.objects.select_related("resident", "municipality").filter(
        municipality__code="142123"
    )
    for card in cards:
        resident = card.resident
        path = demo_dir() / "cards" / f"{resident.register_id}.json"
        if path.exists():
            made_before = CardFile(path).load()
            if card.auth_key_fingerprint or not made_before.files.get(AUTH_CERT):
                _record_manufacture_id(card, made_before.card_id)
                continue
        gender = "1" if resident.gender == "male" else "2"
        name = resident.name.replace(" ", "\u3000")
        signing = card.certificates.filter(kind="signing").first()
        authentication = card.certificates.filter(kind="authentication").first()
        expires_on = authentication.expires_on if authentication else card.expires_on
        # Expired certificates: the card holds none the issuer would still sign.
        not_after = (
            dt.datetime.combine(expires_on, dt.time(14, 59, 59), tzinfo=dt.UTC)
            if expires_on > dt.date.today()
            else None
        )
        certificate_holder = HolderAttributes(
            name=resident.name_substitute or name,
            address=resident.address_substitute or resident.address,
            birth_date=resident.birth_date,
            gender=gender,
            municipality_code=card.municipality.code[:5],
        )
        state = create_card_file(
            path,
            holder=CardHolder(
                name=name,
                address=resident.address,
                birth_date=resident.birth_date,
                gender=gender,
            ),
            certificate_holder=certificate_holder,
            issuer=issuer,  # type: ignore[arg-type]  # the simulator personalises
            auth_pin=DEMO_PINS["auth_pin"],
            card_info_pin=DEMO_PINS["card_info_pin"],
            resident_register_pin=DEMO_PINS["resident_register_pin"],
            signing_password=DEMO_PINS["signing_password"] if signing else None,
            certificates_not_after=not_after,
            label=f"{resident.register_id} {resident.name}",
        )
        if signing is not None and signing.pin_locked:
            state.pins[c.PIN_SIGN].tries_left = 0
            CardFile(path).save(state)
        # As the card's delivery papers give it to the supervisor: the card is
        # recognised even when it holds no certificate (issue 17).
        _record_manufacture_id(card, state.card_id)
        auth_der = state.files.get(AUTH_CERT)
        if auth_der:
            Card.objects.filter(pk=card.pk).update(
                auth_key_fingerprint=public_key_fingerprint(auth_der)
            )
        sign_der = state.files.get(f"jpki:{c.EF_SIGN_CERT:04X}")
        if signing is not None and sign_der:
            # The card's real signing serial: through it the counter asks J-LIS
            # about the card (§9.1).
            serial = x509.load_der_x509_certificate(sign_der).serial_number
            Certificate.objects.filter(pk=signing.pk).update(
                serial_number=f"{serial:x}"
            )
            if resident.register_id in REVOKED_AT_HOME:
                issuer.simulate_revoked_at_home(serial=serial)  # type: ignore[attr-defined]
            platform = SMARTPHONE_REGISTERED.get(resident.register_id)
            if platform is not None:
                _smartphone_registered(
                    card, state.card_id, platform, certificate_holder
                )
        made += 1
    return made


def _smartphone_registered(
    card: Card, card_id: str, platform: str, holder: HolderAttributes
) -> None:
    """The holder registered a phone (SIMULATION at J-LIS), and the counter has
    already asked J-LIS about the card once, so the resident's page shows it."""
    issuer = get_issuer()
    issuer.simulate_smartphone_registered(  # type: ignore[attr-defined]
        card_id=card_id, platform=platform, holder=holder
    )
    certificates_sync_from_issuer(card=card)


def kiosk_reset(register_id: str, pin_kind: str) -> str:
    """SIMULATION of a kiosk PIN reset (§11.1): the card's PIN is set again (to
    the demo's test value) with its tries counter full, and J-LIS records the
    reset. The counter learns of it at the next reception (§11.2)."""
    card_file = demo_dir() / "cards" / f"{register_id}.json"
    if not card_file.exists():
        raise FileNotFoundError(f"no demo card for {register_id}")
    inserted = (demo_dir() / "card.current").exists() and (
        demo_dir() / "card.current"
    ).read_text() == register_id
    if inserted:
        card_remove()
    state = CardFile(card_file).load()
    get_issuer().simulate_kiosk_pin_reset(  # type: ignore[attr-defined]
        card_id=state.card_id, pin_kind=pin_kind
    )
    reference, value = KIOSK_PINS[pin_kind]
    pin = state.pins[reference]
    pin.set_value(value.encode("ascii"))
    pin.tries_left = pin.max_tries
    CardFile(card_file).save(state)
    if inserted:
        card_insert(register_id)
    return state.card_id


def _record_manufacture_id(card: Card, manufacture_id: str) -> None:
    """Through the supervisor's service, as the demo supervisor (audited)."""
    supervisor = get_user_model().objects.get(username="supervisor")
    reason = "" if not hasattr(card, "manufacture_record") else "demo card remade"
    card_manufacture_record(
        card_id=card.pk, manufacture_id=manufacture_id, actor=supervisor, reason=reason
    )


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def card_insert(register_id: str) -> str:
    """Take out the card in the reader (if any) and insert this resident's card."""
    card_file = demo_dir() / "cards" / f"{register_id}.json"
    if not card_file.exists():
        raise FileNotFoundError(f"no demo card for {register_id}")
    card_remove()
    log = open(demo_dir() / "card.log", "ab")  # noqa: SIM115 - child keeps it
    proc = subprocess.Popen(
        [sys.executable, "-m", "jpki_ops.cardsim", "--card-file", str(card_file)],
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    (demo_dir() / "card.pid").write_text(str(proc.pid))
    (demo_dir() / "card.current").write_text(register_id)
    return register_id


def card_remove() -> None:
    pid_file = demo_dir() / "card.pid"
    pid = _pid_alive(pid_file)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if _pid_alive(pid_file) is None:
                break
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    (demo_dir() / "card.current").unlink(missing_ok=True)


def _agent_credential() -> tuple[Path, Path]:
    """The demo desk's token file and agent key, made once: a credential bound
    to the key, as in production (docs/security/input-and-desk.md)."""
    token_file = demo_dir() / "agent-token"
    key_file = demo_dir() / "agent-key.pem"
    if token_file.exists() and key_file.exists():
        return token_file, key_file
    key_file.unlink(missing_ok=True)
    public_key = agent_key_generate(key_file)
    desk = Desk.objects.get(
        office__municipality__code="142123", office__code="honcho", code="desk-1"
    )
    _credential, token = desk_agent_credential_issue(desk=desk, public_key=public_key)
    token_file.write_text(token)
    token_file.chmod(0o600)
    return token_file, key_file


def start(
    *,
    server_url: str,
    children: list[subprocess.Popen[bytes]],
    log: Callable[[str], object],
    pinpad_port: int = 8765,
) -> list[str]:
    missing = missing_parts()
    if missing:
        return [f"card reader: not started - {missing}"]
    script = Path(settings.BASE_DIR) / "deploy" / "pcsc" / "pcscd-vpcd.sh"
    result = subprocess.run(
        ["sh", str(script), "start"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHON": sys.executable},
    )
    if result.returncode != 0:
        return [f"card reader: pcscd did not start: {result.stderr.strip()[:300]}"]
    log("Making the demo's virtual cards (simulated issuer) ...")
    card_files_create()
    card_insert(FIRST_CARD)
    token_file, key_file = _agent_credential()
    agent = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "desk_agent",
            "--server",
            f"{server_url}api/v1/desk/",
            "--reader",
            READER,
            "--pinpad-port",
            str(pinpad_port),
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "MADOGUCHI_AGENT_TOKEN_FILE": str(token_file),
            "MADOGUCHI_AGENT_KEY_FILE": str(key_file),
        },
    )
    children.append(agent)
    pins = DEMO_PINS
    return [
        f"desk agent: 本庁 1番窓口 (desk-1), reader '{READER}'",
        f"PIN pad (resident's screen): http://127.0.0.1:{pinpad_port}/",
        f"card in the reader: {FIRST_CARD} 山田 太郎 - swap with: "
        f"DJANGO_SETTINGS_MODULE=config.settings.demo {_python_hint()} "
        "manage.py demo_card insert D0012",
        f"demo card PINs (simulated cards): 4-digit {pins['auth_pin']}, "
        f"signing {pins['signing_password']}",
    ]


def _python_hint() -> str:
    """The demo's own Python (.venv-demo), as a path a person can type in the
    project folder; the system Python lacks the project's packages."""
    try:
        return str(Path(sys.executable).relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return sys.executable


def stop() -> None:
    card_remove()
    script = Path(settings.BASE_DIR) / "deploy" / "pcsc" / "pcscd-vpcd.sh"
    if script.exists():
        subprocess.run(["sh", str(script), "stop"], capture_output=True, check=False)


__all__ = ["card_files_create", "card_insert", "card_remove", "start", "stop"]
