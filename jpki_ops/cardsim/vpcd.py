"""The vpcd socket link: puts a :class:`VirtualCard` into a real pcscd's reader.

vpcd (vsmartcard's reader driver for pcscd) listens on 35963 for reader
``Virtual PCD 00 00`` (35964 for ``… 00 01``); the card is the TCP client
(docs/reference/pcsc-testing.md §5). Frames are ``len (2 bytes, big-endian) ||
payload``; a 1-byte
payload is a control byte (00 power off, 01 power on, 02 reset, 04 get ATR), longer
payloads are APDUs. "Inserting" the card = connecting, "removing" it = closing the
socket; :class:`CardLink` offers both to tests, plus a rule that pulls the card out
when a chosen APDU arrives (``remove_after_apdus`` / ``remove_when``), which is how
tests simulate a card yanked out halfway through a read.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable

from .card import VirtualCard

logger = logging.getLogger("jpki_ops.cardsim")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963  # 0x8C7B, /etc/reader.conf.d/vpcd → "Virtual PCD 00 00"

CTRL_POWER_OFF = 0x00
CTRL_POWER_ON = 0x01
CTRL_RESET = 0x02
CTRL_GET_ATR = 0x04


class VpcdUnreachable(ConnectionError):
    """vpcd is not listening: pcscd is not running or has no vpcd reader."""


class _Removed(Exception):
    """Raised inside the serving loop when the removal rule fires."""


def _quickack(sock: socket.socket) -> None:
    # vpcd writes length and payload in two send() calls with Nagle on; without
    # TCP_QUICKACK re-armed before every recv() each message costs ~40 ms
    # (docs/reference/pcsc-testing.md §7.1).
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        _quickack(sock)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf.extend(chunk)
    return bytes(buf)


class CardLink:
    """One virtual card on one vpcd port, in a background thread or the foreground.

    Tests use :meth:`start`, :meth:`remove`, :meth:`insert` and :meth:`stop`; the
    command line uses :meth:`serve_forever`.
    """

    def __init__(
        self,
        card: VirtualCard,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        connect_timeout: float = 10.0,
        remove_after_apdus: int | None = None,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.apdu_count = 0
        self._remove_when: Callable[[bytes], bool] | None = None
        self._pull_after: int | None = None
        if remove_after_apdus is not None:
            self.remove_after_apdus(remove_after_apdus)
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._inserted = threading.Event()
        self._stopping = threading.Event()
        self._connected = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.last_error: BaseException | None = None
        card.on_apdu = self._before_apdu

    # --- removal rules -------------------------------------------------------

    def remove_after_apdus(self, n: int) -> None:
        """Answer ``n`` more APDUs, then pull the card out right after the last answer.

        The client's next APDU then fails the way a pulled card fails on a real
        reader: ``SCARD_E_NOT_TRANSACTED`` (0x80100016) at once, or
        ``SCARD_W_REMOVED_CARD`` (0x80100069) once pcscd's presence poll (≈ 400 ms)
        has noticed.
        """
        if n < 1:
            raise ValueError("answer at least one APDU; use remove() to pull it now")
        self._pull_after = self.apdu_count + n

    def remove_when(self, predicate: Callable[[bytes], bool] | None) -> None:
        """Vanish *while* an APDU is in flight, when ``predicate(apdu)`` is true.

        vpcd then hands pcscd an empty answer, which pyscard reports as
        ``Card returned no valid response`` (docs/reference/pcsc-testing.md §5): the
        harshest case.
        """
        self._remove_when = predicate

    def _before_apdu(self, raw: bytes) -> None:
        self.apdu_count += 1
        rule = self._remove_when
        if rule is not None and rule(raw):
            self._remove_when = None
            raise _Removed

    # --- one connection --------------------------------------------------------

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError as exc:
                if time.monotonic() >= deadline or self._stopping.is_set():
                    raise VpcdUnreachable(
                        f"cannot connect to vpcd at {self.host}:{self.port}: {exc} "
                        "(is pcscd running with the vpcd driver?)"
                    ) from exc
                time.sleep(0.1)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock

    def _serve(self, sock: socket.socket) -> str:
        """Answer vpcd until it closes ("closed") or the card is pulled ("removed")."""
        card = self.card
        while True:
            try:
                header = _recv_exact(sock, 2)
                if header is None:
                    return "closed"
                length = int.from_bytes(header, "big")
                payload = _recv_exact(sock, length) if length else b""
                if payload is None:
                    return "closed"
            except OSError:
                return self._gone()
            if length == 1:
                ctrl = payload[0]
                if ctrl == CTRL_GET_ATR:
                    if not self._send(sock, card.atr):
                        return self._gone()
                elif ctrl == CTRL_POWER_ON:
                    card.power_on()
                elif ctrl == CTRL_POWER_OFF:
                    card.power_off()
                elif ctrl == CTRL_RESET:
                    card.reset()
                continue
            try:
                response = card.execute(payload)
            except _Removed:
                logger.info("card pulled out before APDU %d", self.apdu_count)
                return "removed"
            if not self._send(sock, response):
                return self._gone()
            if self._pull_after is not None and self.apdu_count >= self._pull_after:
                self._pull_after = None
                logger.info("card pulled out after APDU %d", self.apdu_count)
                return "removed"

    @staticmethod
    def _send(sock: socket.socket, message: bytes) -> bool:
        """One length-prefixed message to vpcd; False when pcscd has dropped the
        connection meanwhile (its reader closed, pcscd restarted): the card is
        then out of the reader, as when a read fails, not a crashed thread."""
        try:
            sock.sendall(len(message).to_bytes(2, "big") + message)
        except OSError:
            return False
        return True

    def _gone(self) -> str:
        """Why the connection ended under us: pulled out (``remove()``) or
        closed by vpcd."""
        return "removed" if not self._inserted.is_set() else "closed"

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    # --- foreground (command line) -----------------------------------------------

    def serve_forever(self) -> str:
        """Insert the card and serve until vpcd closes or the removal rule fires."""
        self._inserted.set()
        sock = self._connect()
        with self._lock:
            self._sock = sock
        logger.info("virtual card inserted at %s:%d", self.host, self.port)
        try:
            outcome = self._serve(sock)
        finally:
            self._close()
            self.card.power_off()
        logger.info("virtual card out of the reader (%s)", outcome)
        return outcome

    def request_stop(self) -> None:
        self._stopping.set()
        self._inserted.clear()
        self._close()

    # --- background thread (tests) -----------------------------------------------

    def start(self) -> CardLink:
        """Insert the card and serve it from a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._thread_main, name=f"cardsim:{self.port}", daemon=True
            )
            self._thread.start()
        self.insert()
        return self

    def _thread_main(self) -> None:
        while not self._stopping.is_set():
            self._inserted.wait()
            if self._stopping.is_set():
                break
            self._idle.clear()
            try:
                sock = self._connect()
            except VpcdUnreachable as exc:
                self.last_error = exc
                self._inserted.clear()
                self._idle.set()
                continue
            with self._lock:
                self._sock = sock
            self._connected.set()
            try:
                outcome = self._serve(sock)
            finally:
                self._close()
                self.card.power_off()
                self._connected.clear()
                if self._inserted.is_set():
                    self._inserted.clear()  # removed by rule or vpcd closed
                self._idle.set()
            logger.info("virtual card out of the reader (%s)", outcome)

    def insert(self, timeout: float = 5.0) -> None:
        """Put the card (back) into the reader; returns once vpcd accepted it."""
        if self._thread is None:
            raise RuntimeError("start() the link first")
        self._idle.wait(timeout)
        self._inserted.set()
        if not self._connected.wait(timeout):
            raise VpcdUnreachable(str(self.last_error or "card not connected"))

    def remove(self, timeout: float = 5.0) -> None:
        """Pull the card out now (closes the vpcd connection)."""
        self._inserted.clear()
        self._close()
        self._idle.wait(timeout)

    @property
    def inserted(self) -> bool:
        return self._connected.is_set()

    def wait_removed(self, timeout: float = 5.0) -> bool:
        """Wait until a removal rule (or vpcd) has taken the card out."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._inserted.set()  # wake the thread so it sees _stopping
        self._close()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
