"""Virtual My Number Card (SIMULATION) served to a real pcscd through vpcd.

Run: ``python -m jpki_ops.cardsim --card-file FILE [--port 35963]``;
make a card: ``python -m jpki_ops.cardsim new --card-file FILE ...``.
See docs/virtual-card.md.
"""

from .card import VirtualCard
from .personalise import CardHolder, create_card_file
from .state import CardFile, CardState
from .vpcd import CardLink, VpcdUnreachable

__all__ = [
    "CardFile",
    "CardHolder",
    "CardLink",
    "CardState",
    "VirtualCard",
    "VpcdUnreachable",
    "create_card_file",
]
