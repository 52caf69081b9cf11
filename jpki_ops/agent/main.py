"""The desk agent process: authenticate as the desk, long-poll, run, report.

Started as ``manage.py desk_agent --server URL --token-file FILE --key-file KEY
--reader NAME`` or ``python -m jpki_ops.agent`` on the clerk's PC next to the
reader. Each run has a fresh random session id; with a key-bound credential it
first proves the key (:mod:`.proof`). Announcing the session lets the server
settle what a previous run left half done
(:func:`jpki_ops.services.desk_agent_session_start`): read-only operations are
resumed, anything that changes the card is failed with ``agent-restarted`` and
never run twice.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import translation
from django.utils.translation import gettext as _

from counter.errors import ApplicationError
from jpki_ops.pcsc import errors
from jpki_ops.pcsc.client import CardSession
from jpki_ops.pcsc.errors import CardError

from .pinpad import PinPad
from .proof import ProvingServerClient
from .runner import OperationRunner, card_identity
from .server import ServerClient, ServerRefused, ServerUnavailable

logger = logging.getLogger("jpki_ops.agent")

RETRY_DELAYS = (0.5, 1, 2, 5, 10)
# Outcomes the resident may read on the PIN pad screen (no codes, no card data).
RESIDENT_VISIBLE_CODES = frozenset(
    {"pin-wrong", "pin-blocked", "pin-entry-timeout", "pin-entry-cancelled"}
)
#: The idle agent's report of an unchanged reader is repeated this often, well
#: inside the server's READER_REPORT_TTL (jpki_ops.services.reader).
READER_REPORT_REPEAT = 10.0


class DeskAgent:
    def __init__(
        self,
        *,
        server_url: str,
        token: str,
        key: Ed25519PrivateKey | None = None,
        reader: str | None = None,
        reader_pattern: str | None = None,
        pinpad_port: int = 0,
        poll_wait: int = 20,
        pin_timeout: float = 180.0,
        language: str = "ja",
        reader_watch: float | None = None,
    ) -> None:
        self.session_id = f"{socket.gethostname()[:40]}:{secrets.token_hex(8)}"
        # A key-bound credential: the agent proves its key before announcing.
        self.server = (
            ProvingServerClient(server_url, token, self.session_id, key=key)
            if key is not None
            else ServerClient(server_url, token, self.session_id)
        )
        self.pinpad = PinPad(port=pinpad_port)
        self.runner = OperationRunner(
            reader=reader,
            reader_pattern=reader_pattern,
            pinpad=self.pinpad,
            server=self.server,
            pin_timeout=pin_timeout,
        )
        self.poll_wait = poll_wait
        self.language = language
        self.stop_event = threading.Event()
        # Set once the server took this run's session (its leftovers are settled).
        self.announced = threading.Event()
        self.current_operation: int | None = None
        # While idle, every ``reader_watch`` seconds: which card is in the reader
        # (no PIN), reported so the clerk sees it before requesting an operation.
        self.reader_watch = reader_watch
        self.reader = reader
        self.reader_pattern = reader_pattern
        self._card_lock = threading.Lock()
        self.refused: ServerRefused | None = None
        self.completed: list[int] = []
        self._thread: threading.Thread | None = None
        self._watcher: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<DeskAgent session={self.session_id}>"

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> DeskAgent:
        """Run in a background thread (tests, the demo)."""
        self.pinpad.start()
        self._start_watcher()
        self._thread = threading.Thread(
            target=self._loop, name="desk-agent", daemon=True
        )
        self._thread.start()
        return self

    def run_forever(self) -> None:
        self.pinpad.start()
        logger.info("desk agent started; PIN pad at %s", self.pinpad.url)
        self._start_watcher()
        try:
            self._loop()
        finally:
            self.pinpad.stop()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.pinpad.cancel_current()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._watcher is not None:
            self._watcher.join(timeout)
        self.pinpad.stop()

    def abandon(self) -> None:
        """Stop as a crash would: the running operation is left as it is (tests)."""
        self.stop_event.set()
        self.server.session_id = "abandoned"  # nothing more reaches the server

    # -- the loop ---------------------------------------------------------------------

    def _loop(self) -> None:
        with translation.override(self.language):
            if not self._announce():
                return
            while not self.stop_event.is_set():
                try:
                    operation = self.server.next_operation(self.poll_wait)
                except ServerUnavailable:
                    self.stop_event.wait(2)
                    continue
                except ServerRefused as exc:
                    logger.error("server refused the agent: %s", exc.code)
                    self.stop_event.wait(5)
                    continue
                if operation is not None:
                    try:
                        self.handle(operation)
                    except Exception as exc:  # noqa: BLE001 - keep serving the desk
                        logger.error("agent loop survived %s", type(exc).__name__)

    def _announce(self) -> bool:
        """Start the session, waiting for the server as long as it takes; False if
        the server refuses this desk's credential (nothing to do but stop)."""
        delay = 0.5
        while not self.stop_event.is_set():
            try:
                session = self.server.start_session()
            except ServerUnavailable as exc:
                logger.warning("server not reachable (%s); retrying", exc)
                self.stop_event.wait(delay)
                delay = min(delay * 2, 30)
                continue
            except ServerRefused as exc:
                logger.error(
                    "the server refused this desk agent (%s): check the token", exc.code
                )
                self.refused = exc
                return False
            logger.info("desk agent session for desk %s", session.get("desk"))
            self.announced.set()
            return True
        return False

    def _with_retries(self, call: Any, *args: Any) -> Any:
        for delay in (*RETRY_DELAYS, None):
            if self.stop_event.is_set():
                return None
            try:
                return call(*args)
            except ServerUnavailable:
                if delay is None:
                    raise
                time.sleep(delay)
        return None

    def handle(self, operation: dict[str, Any]) -> None:
        with self._card_lock:  # the reader watch waits while the card is worked on
            self._handle(operation)

    # -- the reader while idle ---------------------------------------------------------

    def _start_watcher(self) -> None:
        if self.reader_watch:
            self._watcher = threading.Thread(
                target=self._watch_reader, name="desk-agent-reader", daemon=True
            )
            self._watcher.start()

    def read_reader(self) -> dict[str, Any] | None:
        """What the card in the reader gives without a PIN; None: no card."""
        try:
            with CardSession(
                self.reader, reader_pattern=self.reader_pattern, card_timeout=0
            ) as card:
                return card_identity(card)
        except (errors.NoCard, errors.CardRemoved):
            return None

    def _watch_reader(self) -> None:
        assert self.reader_watch is not None
        last: tuple[dict[str, Any] | None, float] | None = None
        self.announced.wait()
        while not self.stop_event.wait(self.reader_watch):
            if not self._card_lock.acquire(blocking=False):
                last = None  # an operation runs: report afresh after it
                continue
            try:
                reading = self.read_reader()
            except CardError as exc:  # no reader, pcscd down: nothing to report
                logger.info("reader watch: %s", exc.code)
                continue
            finally:
                self._card_lock.release()
            now = time.monotonic()
            if (
                last is not None
                and last[0] == reading
                and (now - last[1] < READER_REPORT_REPEAT)
            ):
                continue
            try:
                self.server.reader(reading)
            except (ServerUnavailable, ServerRefused) as exc:
                logger.info("reader report not taken (%s)", type(exc).__name__)
                continue
            last = (reading, now)

    def _handle(self, operation: dict[str, Any]) -> None:
        op_id = int(operation["id"])
        self.current_operation = op_id
        self.pinpad.show_message("")
        logger.info("running card operation %s (%s)", op_id, operation["kind"])
        try:
            result = self.runner.run(operation)
        except ApplicationError as exc:
            if exc.code in RESIDENT_VISIBLE_CODES:
                self.pinpad.show_message(str(exc.message))
            self._report_failure(op_id, exc.code, str(exc.message), exc.extra)
        except Exception as exc:  # noqa: BLE001 - the clerk must see *something*
            logger.error(
                "card operation %s failed unexpectedly (%s)", op_id, type(exc).__name__
            )
            self._report_failure(
                op_id,
                "agent-internal-error",
                str(CardError().message),
                {"exception": type(exc).__name__},
            )
        else:
            try:
                self._with_retries(self.server.result, op_id, result)
            except ServerRefused as exc:
                # e.g. the certificate read back is not the one issued: the server
                # says why; the operation ends failed with that reason.
                self._report_failure(op_id, exc.code, str(exc.message), {})
            except ServerUnavailable:
                logger.error(
                    "could not report operation %s; the server will time it out", op_id
                )
            else:
                logger.info("card operation %s succeeded", op_id)
                if operation["kind"] not in ("read_card", "pin_status"):
                    self.pinpad.show_message(str(_("Done. Thank you.")))
        finally:
            self.current_operation = None
            self.completed.append(op_id)

    def _report_failure(
        self, op_id: int, code: str, message: str, extra: dict[str, Any]
    ) -> None:
        logger.info("card operation %s failed: %s", op_id, code)
        safe_extra = {
            k: v
            for k, v in extra.items()
            if isinstance(v, str | int | bool | type(None))
        }
        try:
            self._with_retries(self.server.failure, op_id, code, message, safe_extra)
        except ServerRefused as exc:
            logger.warning("server did not take the failure of %s: %s", op_id, exc.code)
        except ServerUnavailable:
            logger.error(
                "could not report operation %s; the server will time it out", op_id
            )
