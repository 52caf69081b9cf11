"""The card half of the demo: pcscd + vpcd, a virtual card, the desk agent.

Everything here is optional: on a machine without pcscd or the vpcd driver the
demo still serves the counter screens and says what is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


def _missing() -> str | None:
    try:
        import smartcard  # noqa: F401
    except ImportError:
        return "pyscard is not installed (needs swig and libpcsclite-dev)"
    if shutil.which("pcscd") is None:
        return "pcscd is not installed (Debian: apt-get install pcscd)"
    if not VPCD_DRIVER.exists():
        return "the vpcd driver is missing (Debian: apt-get install vsmartcard-vpcd)"
    return None


def start(
    *,
    server_url: str,
    children: list[subprocess.Popen[bytes]],
    log: Callable[[str], object],
) -> list[str]:
    missing = _missing()
    if missing:
        return [f"card reader: not started - {missing}"]
    script = Path(settings.BASE_DIR) / "deploy" / "pcsc" / "pcscd-vpcd.sh"
    result = subprocess.run(
        ["sh", str(script), "start"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return [f"card reader: pcscd did not start: {result.stderr.strip()[:200]}"]
    return ["card reader: pcscd with the virtual reader is running"]


def stop() -> None:
    script = Path(settings.BASE_DIR) / "deploy" / "pcsc" / "pcscd-vpcd.sh"
    if script.exists():
        subprocess.run(["sh", str(script), "stop"], capture_output=True, check=False)
