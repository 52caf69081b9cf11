"""PC/SC transport on pyscard's low-level ``scard`` module.

The low-level API is used (not ``smartcard.System``) because it hands back the
winscard return code, which is what tells "pcscd is down" from "no card" from "card
pulled out" (docs/reference/pcsc-testing.md §8), and because it adds nothing per APDU.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Callable

from smartcard import scard

from . import errors

logger = logging.getLogger(__name__)

# winscard return codes, unsigned (pyscard may hand them back signed).
_NO_SERVICE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED}
_NO_READER = {
    scard.SCARD_E_NO_READERS_AVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_E_READER_UNAVAILABLE,
}
_NO_CARD = {scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_UNPOWERED_CARD}
_REMOVED = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_E_NOT_TRANSACTED,
    scard.SCARD_W_UNRESPONSIVE_CARD,
    scard.SCARD_E_READER_UNAVAILABLE,
}

_WAS_RESET = {scard.SCARD_W_RESET_CARD, scard.SCARD_W_UNPOWERED_CARD}

ApduObserver = Callable[[bytes, int], None]


def _u32(code: int) -> int:
    return code & 0xFFFFFFFF


def _describe(code: int) -> str:
    try:
        return str(scard.SCardGetErrorMessage(code)).strip()
    except Exception:  # noqa: BLE001 - diagnostics only
        return "unknown error"


def _context_error(code: int) -> errors.CardError:
    code = _u32(code)
    if code in _NO_SERVICE:
        return errors.PcscUnavailable(extra={"pcsc_code": f"0x{code:08X}"})
    if code in _NO_READER:
        return errors.ReaderNotFound(extra={"pcsc_code": f"0x{code:08X}"})
    if code in _NO_CARD:
        return errors.NoCard(extra={"pcsc_code": f"0x{code:08X}"})
    if code == scard.SCARD_E_SHARING_VIOLATION:
        return errors.ReaderBusy(extra={"pcsc_code": f"0x{code:08X}"})
    return errors.CardCommunicationError(
        extra={"pcsc_code": f"0x{code:08X}", "pcsc_text": _describe(code)}
    )


def list_readers() -> list[str]:
    """Reader names pcscd knows; raises PcscUnavailable when it is not running."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if _u32(hresult) != scard.SCARD_S_SUCCESS:
        raise _context_error(hresult)
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        code = _u32(hresult)
        if code == _u32(scard.SCARD_E_NO_READERS_AVAILABLE):
            return []
        if code != scard.SCARD_S_SUCCESS:
            raise _context_error(hresult)
        return list(readers)
    finally:
        scard.SCardReleaseContext(context)


def resolve_reader(name: str | None = None, pattern: str | None = None) -> str:
    """The reader name: ``name`` if present, else the first matching ``pattern``."""
    readers = list_readers()
    if name is not None:
        if name in readers:
            return name
        raise errors.ReaderNotFound(extra={"reader": name, "readers": readers})
    glob = pattern or "*"
    for reader in readers:
        if fnmatch.fnmatchcase(reader, glob):
            return reader
    raise errors.ReaderNotFound(extra={"reader_pattern": glob, "readers": readers})


class Connection:
    """One connection to the card in one reader, inside a PC/SC transaction.

    The transaction keeps every other program's APDUs out while an operation has
    a PIN verified (a shared connection, so a program that merely looks at the
    reader does not make the desk fail); closed with a card reset, so a verified
    PIN does not outlive the operation (docs/reference/card-protocol.md §2).
    """

    def __init__(
        self,
        reader: str,
        *,
        observer: ApduObserver | None = None,
        exclusive: bool = False,
        card_timeout: float = 0.0,
    ) -> None:
        self.reader = reader
        self.observer = observer
        self._context: int | None = None
        self._card: int | None = None
        self._protocol = scard.SCARD_PCI_T1
        self.apdu_count = 0
        self._removed = False
        self._in_transaction = False
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if _u32(hresult) != scard.SCARD_S_SUCCESS:
            raise _context_error(hresult)
        self._context = context
        share = scard.SCARD_SHARE_EXCLUSIVE if exclusive else scard.SCARD_SHARE_SHARED
        # A card just put in needs a moment before it answers
        # (docs/reference/pcsc-testing.md §4.5).
        deadline = time.monotonic() + card_timeout
        while True:
            hresult, card, protocol = scard.SCardConnect(
                context,
                reader,
                share,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
            code = _u32(hresult)
            if code not in _NO_CARD and code != scard.SCARD_E_SHARING_VIOLATION:
                break
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if _u32(hresult) != scard.SCARD_S_SUCCESS:
            scard.SCardReleaseContext(context)
            self._context = None
            raise _context_error(hresult)
        self._card = card
        self._protocol = (
            scard.SCARD_PCI_T0
            if protocol == scard.SCARD_PROTOCOL_T0
            else scard.SCARD_PCI_T1
        )
        hresult = scard.SCardBeginTransaction(card)
        if _u32(hresult) != scard.SCARD_S_SUCCESS:
            self.close(reset=False)
            raise self._transmit_error(hresult)
        self._in_transaction = True

    def atr(self) -> bytes:
        hresult, _reader, _state, _protocol, atr = scard.SCardStatus(self._card)
        if _u32(hresult) != scard.SCARD_S_SUCCESS:
            raise self._transmit_error(hresult)
        return bytes(atr)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one APDU; returns (response data, status word)."""
        if self._card is None:
            raise errors.CardCommunicationError()
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if self.apdu_count == 0 and _u32(hresult) in _WAS_RESET:
            # Another program reset or powered the card down between our connect
            # and the first command: nothing of ours was lost, so reconnect once.
            self._reconnect()
            hresult, response = scard.SCardTransmit(
                self._card, self._protocol, list(apdu)
            )
        self.apdu_count += 1
        if _u32(hresult) != scard.SCARD_S_SUCCESS:
            raise self._transmit_error(hresult)
        if len(response) < 2:
            # vpcd answers nothing when the card left mid-command
            # (docs/reference/pcsc-testing.md §8).
            self._removed = True
            raise errors.CardRemoved(extra={"reason": "no response"})
        sw = (response[-2] << 8) | response[-1]
        if self.observer is not None:
            self.observer(apdu[:4], sw)
        return bytes(response[:-2]), sw

    def _reconnect(self) -> None:
        if self._in_transaction:
            scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)
            self._in_transaction = False
        hresult, protocol = scard.SCardReconnect(
            self._card,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            scard.SCARD_LEAVE_CARD,
        )
        if _u32(hresult) != scard.SCARD_S_SUCCESS:
            raise self._transmit_error(hresult)
        if _u32(scard.SCardBeginTransaction(self._card)) == scard.SCARD_S_SUCCESS:
            self._in_transaction = True

    def _transmit_error(self, hresult: int) -> errors.CardError:
        code = _u32(hresult)
        logger.info("pcsc transmit failed", extra={"pcsc_code": f"0x{code:08X}"})
        if code in _NO_SERVICE:
            return errors.PcscUnavailable(extra={"pcsc_code": f"0x{code:08X}"})
        if code in _REMOVED:
            self._removed = True
            return errors.CardRemoved(extra={"pcsc_code": f"0x{code:08X}"})
        return errors.CardCommunicationError(
            extra={"pcsc_code": f"0x{code:08X}", "pcsc_text": _describe(code)}
        )

    def close(self, *, reset: bool = True) -> None:
        if self._card is not None:
            # A card that left the reader has lost power anyway; resetting its slot
            # then wedges vpcd until pcscd restarts, so only a present card is reset.
            reset = reset and not self._removed
            if self._in_transaction:
                scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)
                self._in_transaction = False
            disposition = scard.SCARD_RESET_CARD if reset else scard.SCARD_LEAVE_CARD
            scard.SCardDisconnect(self._card, disposition)
            self._card = None
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None
