"""Settings of the card layer: the issuer gateway, card operation timeouts and
the desk agents' credentials (docs/security/input-and-desk.md). Imported by
base.py; every name is read from the environment through ``config``."""

from __future__ import annotations

from pathlib import Path

from config.env import config

_BASE_DIR = Path(__file__).resolve().parent.parent.parent

JPKI_ISSUER_STATE_DIR = config(
    "JPKI_ISSUER_STATE_DIR",
    str(_BASE_DIR / "var" / "issuer"),
    help_text="Directory holding the SIMULATED issuer's (J-LIS) test CA keys.",
    group="Card and issuer",
)
JPKI_ISSUER_BACKEND = config(
    "JPKI_ISSUER_BACKEND",
    "simulator",
    help_text="Issuer gateway implementation. Only `simulator` ships: a test CA "
    "labelled as a simulation of J-LIS.",
    group="Card and issuer",
)
JPKI_CRL_BASE_URL = config(
    "JPKI_CRL_BASE_URL",
    "",
    help_text="Public base URL of the simulated issuer's CRLs (e.g. "
    "https://madoguchi.example/jpki/); when set, new certificates carry a CRL "
    "distribution point.",
    group="Card and issuer",
)
JPKI_CARD_OPERATION_REQUEST_TIMEOUT = config(
    "JPKI_CARD_OPERATION_REQUEST_TIMEOUT",
    600,
    help_text="Seconds a requested card operation waits for the desk agent to claim "
    "it before it times out.",
    group="Card and issuer",
)
JPKI_CARD_OPERATION_RUN_TIMEOUT = config(
    "JPKI_CARD_OPERATION_RUN_TIMEOUT",
    900,
    help_text="Seconds a claimed card operation may run (PIN entry included) before "
    "it times out.",
    group="Card and issuer",
)
DESK_AGENT_CREDENTIAL_DAYS = config(
    "DESK_AGENT_CREDENTIAL_DAYS",
    90,
    help_text="Days a desk agent credential is valid; issue the next one before.",
    group="Card and issuer",
)
DESK_AGENT_ROTATION_GRACE_HOURS = config(
    "DESK_AGENT_ROTATION_GRACE_HOURS",
    24,
    help_text="Hours a desk's older credentials keep working after a new one is "
    "issued for the desk (rotation without a gap).",
    group="Card and issuer",
)
DESK_AGENT_ALLOW_UNBOUND = config(
    "DESK_AGENT_ALLOW_UNBOUND",
    False,
    help_text="Accept desk agent credentials not bound to an agent key (token "
    "alone). Off: a copied token opens no session. Tests only.",
    group="Card and issuer",
)
