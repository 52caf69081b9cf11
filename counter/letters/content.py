"""What an inquiry letter says, and the data one letter is rendered from.

The wording is the printed document the resident reads at home, in plain Japanese
with short sentences (docs/rules/06-agents.md §6.2, §15); it is not screen text, so it
is written
here in Japanese rather than through gettext. Whatever varies between
municipalities (what the agent must bring, office hours, phone) comes in through
:class:`LetterData` from the municipal profile; the defaults below are the seed
city's (docs/rules/seed.md "Seed table").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from counter.constants import Procedure
from counter.pins import case_visit_two_pins, visit_two_pins

from .address import PostalAddress


class LetterKind(StrEnum):
    PIN = "pin"  # 暗証番号の変更・初期化の照会書兼回答書
    CERTIFICATE = "certificate"  # 電子証明書の発行・更新の照会書兼回答書
    REVOCATION = "revocation"  # 電子証明書の失効の照会書兼回答書
    SUSPENSION_LIFT = "suspension_lift"  # 一時停止の解除の照会書兼回答書


KIND_OF: dict[Procedure, LetterKind] = {
    Procedure.PIN_CHANGE: LetterKind.PIN,
    Procedure.PIN_RESET: LetterKind.PIN,
    Procedure.CERT_ISSUE: LetterKind.CERTIFICATE,
    Procedure.CERT_RENEW: LetterKind.CERTIFICATE,
    Procedure.CERT_REVOKE: LetterKind.REVOCATION,
    Procedure.SUSPENSION_LIFT: LetterKind.SUSPENSION_LIFT,
}

LETTER_PROCEDURES: tuple[Procedure, ...] = tuple(KIND_OF)

PROCEDURE_NAME: dict[Procedure, str] = {
    Procedure.PIN_CHANGE: "マイナンバーカードの暗証番号の変更",
    Procedure.PIN_RESET: "マイナンバーカードの暗証番号の初期化（再設定）",
    Procedure.CERT_ISSUE: "電子証明書の発行",
    Procedure.CERT_RENEW: "電子証明書の更新",
    Procedure.CERT_REVOKE: "電子証明書の失効",
    Procedure.SUSPENSION_LIFT: "マイナンバーカードの一時停止の解除",
}

TITLE: dict[Procedure, str] = {
    Procedure.PIN_CHANGE: "暗証番号の変更についての照会書兼回答書",
    Procedure.PIN_RESET: "暗証番号の初期化についての照会書兼回答書",
    Procedure.CERT_ISSUE: "電子証明書の発行についての照会書兼回答書",
    Procedure.CERT_RENEW: "電子証明書の更新についての照会書兼回答書",
    Procedure.CERT_REVOKE: "電子証明書の失効についての照会書兼回答書",
    Procedure.SUSPENSION_LIFT: "一時停止の解除についての照会書兼回答書",
}

# What the agent brings at the second visit (docs/rules/06-agents.md §6.2; seed city
# defaults).
DEFAULT_BRING: dict[LetterKind, tuple[str, ...]] = {
    LetterKind.PIN: (
        "封をした回答書",
        "あなたのマイナンバーカード",
        "代理人の本人確認書類（運転免許証など）",
        "あなたが窓口に来られない理由がわかる書類（診断書など）",
    ),
    LetterKind.CERTIFICATE: (
        "封をした回答書",
        "あなたのマイナンバーカード",
        "代理人の顔写真付きの本人確認書類（運転免許証など）",
        "委任状",
    ),
    LetterKind.REVOCATION: (
        "封をした回答書",
        "あなたのマイナンバーカード",
        "代理人の本人確認書類（運転免許証など）",
    ),
    # docs/rules/05-identity-documents.md §5.2 / §10 (seed default: inquiry method): the
    # found card.
    LetterKind.SUSPENSION_LIFT: (
        "封をした回答書",
        "見つかったあなたのマイナンバーカード",
        "代理人の本人確認書類（運転免許証など）",
    ),
}

# Kinds whose answer sheet has PIN boxes: every procedure whose card work at visit
# 2 can need a PIN the agent must not learn (§6.3); which PINs is
# counter.pins.visit_two_pins (§6.4).
PIN_BOX_KINDS = frozenset(LetterKind)


@dataclass(frozen=True)
class PinRow:
    """One line of PIN boxes on the answer sheet (docs/rules/06-agents.md §6.2, §15).

    ``moments`` are the PINs the holder writes on the line: the current one
    (今の番号) for a change, the new one (新しい番号) for a change or reset.
    """

    label: str
    places: int
    moments: tuple[str, ...]


# The four PINs (docs/rules/02-certificates-and-pins.md §2) as the holder knows them.
PIN_NAMES: dict[str, tuple[str, int]] = {
    "authentication": ("利用者証明用（数字4けた）", 4),
    "resident_register": ("住民基本台帳用（数字4けた）", 4),
    "card_info": ("券面事項入力補助用（数字4けた）", 4),
    "signing": ("署名用（英数字6～16文字）", 16),
}
MAX_PIN_LINES = 3


# What the holder writes per PIN: the current and new one for a change, the
# current one to confirm the card (a revocation §9, the found card §10),
# otherwise the new one (a reset, a new signing password).
PIN_MOMENTS: dict[str, tuple[str, ...]] = {
    "pin_change": ("今の番号", "新しい番号"),
    "suspension_lift": ("今の番号",),
    "cert_revoke": ("今の番号",),
}
# A sample sheet (no case yet: previews, the print check) shows the boxes of a
# typical case of its procedure.
SAMPLE_PIN_KINDS = ("authentication",)
SAMPLE_CERTIFICATE_KINDS = ("signing",)


def answer_sheet_pin_rows(
    procedure: str, visit_two: Iterable[str]
) -> tuple[PinRow, ...]:
    """One line of boxes per PIN visit 2 asks (``visit_two``, from
    :func:`counter.pins.visit_two_pins`), none when it asks none (§6.4).

    A 4-digit PIN has all its moments on one line, the signing password one
    line per moment.
    """
    wanted = set(visit_two)
    moments = PIN_MOMENTS.get(procedure, ("新しい番号",))
    rows: list[PinRow] = []
    for kind in (k for k in PIN_NAMES if k in wanted):
        label, places = PIN_NAMES[kind]
        if places <= 4:
            rows.append(PinRow(label, places, moments))
        else:
            rows += [PinRow(label, places, (moment,)) for moment in moments]
    return tuple(rows)


def pin_rows_for(procedure: str, pin_kinds: Iterable[str]) -> tuple[PinRow, ...]:
    """The PIN boxes of a procedure's answer sheet, one line per PIN (§6.4).

    ``pin_kinds`` are the PINs (or, for a certificate, the certificate kinds) the
    case names; which of them visit 2 asks is :func:`counter.pins.visit_two_pins`'s
    answer, so the sheet and the card step never differ. Without kinds, a sample
    case of the procedure.
    """
    kinds = tuple(pin_kinds or ())
    visit_two = visit_two_pins(
        procedure,
        pin_kinds=kinds or SAMPLE_PIN_KINDS,
        certificate_kinds=kinds or SAMPLE_CERTIFICATE_KINDS,
    )
    return answer_sheet_pin_rows(procedure, visit_two)


def case_pin_rows(case: Any) -> tuple[PinRow, ...]:
    """The PIN boxes of this case's answer sheet: exactly the PINs its card step
    asks at visit 2 (:func:`counter.pins.case_visit_two_pins`)."""
    return answer_sheet_pin_rows(case.procedure, case_visit_two_pins(case))


@dataclass(frozen=True)
class OfficeInfo:
    """Who sends the letter and where the agent comes back (profile data)."""

    municipality: str
    sender: str  # e.g. 厚木市長
    office: str  # e.g. 市民課
    address: str
    phone: str
    hours: tuple[str, ...]


@dataclass(frozen=True)
class LetterData:
    """Everything one letter shows; built by the service from the case."""

    reference_code: str
    procedure: Procedure
    address: PostalAddress
    agent_name: str
    first_visit: dt.date
    deadline: dt.date
    issued_on: dt.date
    office: OfficeInfo
    bring: tuple[str, ...] = ()
    # None: a sample sheet; (): the case's visit 2 asks no PIN.
    pin_rows: tuple[PinRow, ...] | None = field(default=None)

    @property
    def kind(self) -> LetterKind:
        return KIND_OF[Procedure(self.procedure)]

    @property
    def things_to_bring(self) -> tuple[str, ...]:
        return self.bring or DEFAULT_BRING[self.kind]

    @property
    def pins(self) -> tuple[PinRow, ...]:
        if self.kind not in PIN_BOX_KINDS:
            return ()
        if self.pin_rows is None:
            return pin_rows_for(self.procedure, ())
        return self.pin_rows


# Seed city office (docs/rules/seed.md "Seed table": Atsugi 市民課, hours of the PIN
# page).
SEED_OFFICE = OfficeInfo(
    municipality="厚木市",
    sender="厚木市長",
    office="厚木市役所 市民課",
    address="厚木市中町3-17-17 本庁舎1階",
    phone="046-225-2111",
    hours=("平日 8時30分～17時15分", "土曜日 8時30分～12時（祝日は休み）"),
)
