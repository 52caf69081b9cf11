"""Cross-app reactions: a typed registry filled by the reacting app.

A lower layer (the card-operation services of ``jpki_ops``, the letter lifecycle)
must tell the procedures that something happened without importing them. It
calls ``reaction.send(obj)``; the procedures connect their handler in
``CounterConfig.ready()``. One named, typed registry per event — not callbacks
looked up by name, not Django signals carrying domain logic — so a reader finds
every reaction from the name (docs/architecture.md, "cross-app reactions").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from counter.letters.models import InquiryLetter

T = TypeVar("T")


class Reaction(Generic[T]):
    """One event a lower layer announces and a higher layer reacts to."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._handlers: list[Callable[[T], Any]] = []

    def connect(self, handler: Callable[[T], Any]) -> None:
        """Register ``handler`` once (``AppConfig.ready()`` may run twice in tests)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    def send(self, obj: T) -> None:
        """Call every handler in registration order; their errors propagate."""
        for handler in list(self._handlers):
            handler(obj)

    @property
    def handlers(self) -> tuple[Callable[[T], Any], ...]:
        return tuple(self._handlers)

    def __repr__(self) -> str:
        return f"<Reaction {self.name}: {len(self._handlers)} handler(s)>"


#: A card operation reached a final state (done, failed, cancelled, timed out);
#: sent after its transaction committed. The payload is the ``CardOperation``.
card_operation_finished: Reaction[Any] = Reaction(
    "card_operation_finished",
    "A card operation finished; the case it belongs to applies the outcome.",
)

#: An inquiry letter expired unanswered (its second-visit deadline passed).
letter_expired: Reaction[InquiryLetter] = Reaction(
    "letter_expired", "An inquiry letter expired; its case expires too."
)

#: An inquiry letter came back undeliverable.
letter_undeliverable: Reaction[InquiryLetter] = Reaction(
    "letter_undeliverable",
    "An inquiry letter came back undeliverable; its case is flagged.",
)
