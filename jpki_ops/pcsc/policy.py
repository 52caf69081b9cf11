"""The PIN shape check before a PIN reaches the card (no try spent on a typo).

The rules themselves (formats, lock thresholds, Japanese messages) belong to the
foundation's :mod:`counter.pins`; this adapter only unwraps the masked
:class:`~jpki_ops.pcsc.pin.Pin` for it and makes sure the refusal it raises
carries no PIN.
"""

from __future__ import annotations

from counter import pins

from .pin import Pin


def pin_shape_check(pin: Pin) -> None:
    """Raise the foundation's ApplicationError if ``pin`` has the wrong shape."""
    # The desk agent has no database: it checks against the national defaults
    # (counter.pins.DEFAULT_POLICIES), which the card enforces too.
    pins.validate_pin_proposal(pin.kind, pin.reveal_text())
