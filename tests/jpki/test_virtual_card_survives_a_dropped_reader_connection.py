"""pcscd may drop the virtual card's connection between a request and its
answer (its reader closed, pcscd restarted): the card is then out of the
reader, as when a read fails, and its thread goes on instead of dying with a
``BrokenPipeError`` (seen in CI beside
tests/jpki/test_clerk_sees_the_card_in_the_reader.py)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from jpki_ops.cardsim import CardLink, VirtualCard
from jpki_ops.cardsim.vpcd import CTRL_GET_ATR
from tests.fixtures.card import make_card_file

pytestmark = pytest.mark.django_db


def _link(simulated_issuer: Any, tmp_path: Path) -> CardLink:
    path, _pins = make_card_file(tmp_path / "card.json", simulated_issuer)
    return CardLink(VirtualCard.from_file(str(path)))


def _dropped_after(request: bytes) -> socket.socket:
    """Our end of a connection whose other end asked ``request`` and hung up."""
    ours, reader = socket.socketpair()
    reader.sendall(len(request).to_bytes(2, "big") + request)
    reader.close()
    return ours


def test_a_reader_that_hangs_up_before_the_atr_takes_the_card_out(
    simulated_issuer, tmp_path
):
    link = _link(simulated_issuer, tmp_path)
    link._inserted.set()
    with _dropped_after(bytes([CTRL_GET_ATR])) as ours:
        assert link._serve(ours) == "closed"


def test_a_reader_that_hangs_up_before_an_answer_takes_the_card_out(
    simulated_issuer, tmp_path
):
    link = _link(simulated_issuer, tmp_path)
    link._inserted.clear()  # the clerk pulled it meanwhile
    select_mf = bytes.fromhex("00A40000023F00")
    with _dropped_after(select_mf) as ours:
        assert link._serve(ours) == "removed"


def test_no_thread_dies_of_it(simulated_issuer, tmp_path):
    link = _link(simulated_issuer, tmp_path)
    link._inserted.set()
    died: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: died.append(args.exc_value)  # type: ignore[assignment]
    try:
        with _dropped_after(bytes([CTRL_GET_ATR])) as ours:
            served = threading.Thread(target=link._serve, args=(ours,))
            served.start()
            served.join(5)
    finally:
        threading.excepthook = previous
    assert died == []
