"""The supervisor records the identifier a card was manufactured with.

A card the system never read has no key fingerprint; the identify step
(:mod:`.identity`) then needs the identifier the issuer recorded for the card
(J-LIS names cards by it; it is printed on the card's delivery papers), both for
a card with no certificate and to match the issuer's answer for one with
certificates (docs/adr/0006-card-identity-before-any-pin.md). Recording it is a
supervisor's act for a card of their own municipality, audited with the value
before and after; a correction needs a reason
(docs/adr/0020-card-manufacture-numbers-and-the-reader-watch.md).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from counter.audit import audit_record
from counter.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from counter.models import Card
from jpki_ops.models import CardManufactureRecord

#: Who may record it: the permission supervisors hold over residents' records.
RECORD_PERMISSION = "counter.change_resident"
#: What a reader can hand over as a card identifier (the identify step's shape).
MANUFACTURE_ID = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def normalise_manufacture_id(value: str) -> str:
    """As typed from the delivery papers: spaces dropped, upper case."""
    return re.sub(r"\s+", "", value or "").upper()


def card_manufacture_record(
    *, card_id: int, manufacture_id: str, actor: Any, reason: str = ""
) -> CardManufactureRecord:
    """Record (or, with a reason, correct) the manufacture identifier of a card.

    Refused, with an audit entry: a user without the permission, a card outside
    the user's municipality (as unknown), a malformed identifier, one already
    recorded for another card, and a change without a reason.
    """
    value = normalise_manufacture_id(manufacture_id)
    card: Card | None = None
    try:
        if not actor.has_perm(RECORD_PERMISSION):
            raise PermissionDenied(
                "manufacture-id-not-permitted",
                _("Only a supervisor records a card's manufacture number."),
            )
        card = Card.objects.visible_to(actor).filter(pk=card_id).first()
        if card is None:
            raise NotFound("card-not-found", _("No such card."))
        if not MANUFACTURE_ID.fullmatch(value):
            raise ApplicationError(
                "manufacture-id-malformed",
                _(
                    "A manufacture number is 1 to 32 letters, digits and hyphens, "
                    "as printed on the card's delivery papers."
                ),
            )
        return _record(card, value, actor, reason.strip())
    except ApplicationError as exc:
        audit_record(
            action="card_manufacture_id_recorded_refused",
            actor=actor,
            obj=card,
            municipality=card.municipality if card is not None else None,
            data={"card": card_id, "code": exc.code},
        )
        raise


def _record(card: Card, value: str, actor: Any, reason: str) -> CardManufactureRecord:
    with transaction.atomic():
        Card.objects.select_for_update().filter(pk=card.pk).first()
        record = CardManufactureRecord.objects.filter(card=card).first()
        before = record.manufacture_id if record is not None else ""
        if before == value:
            assert record is not None
            return record
        if record is not None and not reason:
            raise Conflict(
                "manufacture-id-change-needs-reason",
                _(
                    "This card already has a manufacture number. Write why it is "
                    "corrected."
                ),
            )
        if CardManufactureRecord.objects.filter(manufacture_id=value).exists():
            raise Conflict(
                "manufacture-id-taken",
                _("This manufacture number is already recorded for another card."),
            )
        try:
            with transaction.atomic():
                if record is None:
                    record = CardManufactureRecord.objects.create(
                        card=card, manufacture_id=value
                    )
                else:
                    record.manufacture_id = value
                    record.save(update_fields=["manufacture_id"])
        except IntegrityError:  # recorded for another card at the same moment
            raise Conflict(
                "manufacture-id-taken",
                _("This manufacture number is already recorded for another card."),
            ) from None
        audit_record(
            action="card_manufacture_id_recorded",
            actor=actor,
            municipality=card.municipality,
            obj=card,
            data={"before": before, "after": value, "reason": reason},
        )
    return record
