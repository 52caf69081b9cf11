"""PINs as short-lived secrets that cannot leak through a repr, a log or a traceback.

A PIN exists on the desk PC only between the PIN pad and the card: the agent
wraps it in :class:`Pin` as soon as the resident finishes typing, the client sends
its bytes to the card, and :meth:`Pin.wipe` zeroes the buffer right after. ``repr``
and ``str`` are masked, and ``Pin`` refuses pickling and JSON, so a PIN can never
ride along into a Celery message, an HTTP body or an exception text by accident.
"""

from __future__ import annotations

import contextlib
from typing import Any, NoReturn, Self


class Pin:
    """A PIN of a known kind, held in a bytearray that is zeroed after use."""

    __slots__ = ("_buf", "kind")

    def __init__(self, kind: str, value: str | bytes | bytearray) -> None:
        self.kind = kind
        if isinstance(value, str):
            # Kept as typed: the PIN policy (counter.pins) names what is wrong with
            # it (small letters, full-width digits) before anything goes to the card.
            self._buf = bytearray(value.encode("utf-8"))
        else:
            self._buf = bytearray(value)
            if isinstance(value, bytearray):
                value[:] = b"\x00" * len(value)

    def __repr__(self) -> str:
        return f"<Pin {self.kind} ****>"

    __str__ = __repr__

    def __len__(self) -> int:
        return len(self._buf)

    def __bool__(self) -> bool:
        return bool(self._buf)

    def __eq__(self, other: object) -> bool:
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> NoReturn:
        raise TypeError("a PIN cannot be pickled or serialised")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a PIN cannot be pickled or serialised")

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        raise TypeError("a PIN cannot be copied")

    __copy__ = __deepcopy__  # type: ignore[assignment]

    def reveal_text(self) -> str:
        """The value as text, only for the shape check just before the card."""
        return self._buf.decode("utf-8", "replace")

    def apdu_bytes(self) -> bytes:
        """The ASCII bytes the card expects (no padding,
        docs/reference/card-protocol.md §4)."""
        return bytes(self._buf)

    @property
    def wiped(self) -> bool:
        return not any(self._buf)

    def wipe(self) -> None:
        for i in range(len(self._buf)):
            self._buf[i] = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wipe()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.wipe()
