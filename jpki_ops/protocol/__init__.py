"""What the card, the desk client and the issuer share: the card's byte values and
status words (:mod:`.constants`), command APDUs (:mod:`.apdu`), BER-TLV
(:mod:`.tlv`), the issuer's command authorisation (:mod:`.authorisation`) and the
public key template (:mod:`.keys`).

The virtual card (``jpki_ops.cardsim``) uses this package like everyone else; the
production client and the issuer never import the virtual card.
"""
