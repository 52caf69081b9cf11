"""Demo data: one city (the seed city), two offices, desks, one login per role and
about thirty residents covering the cases the rules treat differently.

Idempotent: running it again changes nothing that exists and creates what is
missing. Dates are relative to today so the demo never goes stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from counter.constants import (
    CardKind,
    CardStatus,
    CertificateKind,
    CertificateStatus,
    CertificateStatusReason,
    RegistrationStatus,
)
from counter.models import (
    Card,
    Certificate,
    Desk,
    Municipality,
    Office,
    OpeningHours,
    Resident,
    StaffProfile,
)
from counter.roles import ROLE_AUDITOR, ROLE_CLERK, ROLE_SUPERVISOR
from counter.services.municipalities import municipality_create
from counter.validity import (
    anniversary,
    card_expiry,
    certificate_expiry,
    nth_birthday_after,
)

DEMO_PASSWORD = "madoguchi-demo"  # printed by the demo script; demo only
MUNICIPALITY_CODE = "142123"
#: 30 February: the demo's year-end closure "from" and "until" (§16) never come.
DEMO_NO_CLOSURE = "02-30"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    office_code: str | None
    description: str


DEMO_LOGINS = [
    DemoLogin("clerk", ROLE_CLERK, "honcho", "窓口職員(本庁 市民課)"),
    DemoLogin("clerk_branch", ROLE_CLERK, "kita", "窓口職員(北部支所)"),
    DemoLogin("supervisor", ROLE_SUPERVISOR, None, "監督者(係長)"),
    DemoLogin("auditor", ROLE_AUDITOR, None, "監査担当(閲覧のみ)"),
]


@dataclass(frozen=True)
class DemoResident:
    register_id: str
    name: str
    kana: str
    birth: tuple[int, int, int] | int  # date, or age in years today
    gender: str
    situation: str = "adult"
    address: str = "神奈川県厚木市中町二丁目1番1号"
    postal_code: str = "243-0018"
    substitute: str = ""
    nationality: str = ""


RESIDENTS = [
    DemoResident("D0001", "山田 太郎", "ヤマダ タロウ", 45, "male"),
    DemoResident("D0002", "山田 花子", "ヤマダ ハナコ", 43, "female"),
    DemoResident("D0003", "山田 健", "ヤマダ ケン", 16, "male", "minor_15_17"),
    DemoResident("D0004", "山田 さくら", "ヤマダ サクラ", 9, "female", "under_15"),
    DemoResident("D0005", "佐藤 一郎", "サトウ イチロウ", 78, "male", "adult_ward"),
    DemoResident(
        "D0006",
        "グエン ヴァン アン",
        "グエン ヴァン アン",
        31,
        "male",
        "foreign_with_period",
        nationality="VNM",
    ),
    DemoResident("D0007", "鈴木 次郎", "スズキ ジロウ", 52, "male", "not_registered"),
    DemoResident(
        "D0008", "高橋 美咲", "タカハシ ミサキ", 38, "female", "expired_certs"
    ),
    DemoResident("D0009", "田中 誠", "タナカ マコト", 60, "male", "signing_pin_locked"),
    DemoResident("D0010", "伊藤 由美", "イトウ ユミ", 29, "female", "card_suspended"),
    DemoResident(
        "D0011",
        "𠮷田 裕子",
        "ヨシダ ユウコ",
        67,
        "female",
        substitute="吉田 裕子",
    ),
    DemoResident("D0012", "渡辺 大輔", "ワタナベ ダイスケ", 35, "male", "renewal_due"),
    DemoResident("D0013", "中村 恵子", "ナカムラ ケイコ", 81, "female", "no_card"),
    # Registered an iPhone for smartphone certificates; J-LIS knows (§12.1).
    DemoResident("D0014", "小林 翔", "コバヤシ ショウ", 24, "male", "smartphone"),
    DemoResident("D0015", "加藤 美穂", "カトウ ミホ", 47, "female"),
    DemoResident("D0016", "吉川 修", "ヨシカワ オサム", 56, "male"),
    DemoResident("D0017", "山本 彩", "ヤマモト アヤ", 33, "female"),
    DemoResident("D0018", "松本 隆", "マツモト タカシ", 71, "male"),
    DemoResident("D0019", "井上 真理", "イノウエ マリ", 39, "female"),
    DemoResident("D0020", "木村 拓也", "キムラ タクヤ", 27, "male"),
    DemoResident("D0021", "林 千尋", "ハヤシ チヒロ", 19, "female"),
    DemoResident("D0022", "清水 勇気", "シミズ ユウキ", 15, "male", "minor_15_17"),
    DemoResident("D0023", "山口 陽菜", "ヤマグチ ヒナ", 12, "female", "under_15"),
    # Revoked his signing certificate at home; J-LIS knows (demo_cards, §9.1).
    DemoResident("D0024", "森 浩二", "モリ コウジ", 64, "male", "revoked_at_home"),
    DemoResident("D0025", "池田 直美", "イケダ ナオミ", 50, "female"),
    DemoResident("D0026", "橋本 和也", "ハシモト カズヤ", 44, "male"),
    DemoResident("D0027", "石川 聡子", "イシカワ サトコ", 58, "female"),
    DemoResident("D0028", "前田 剛", "マエダ ツヨシ", 36, "male"),
    DemoResident("D0029", "藤田 優", "フジタ ユウ", (2000, 2, 29), "female"),
    DemoResident(
        "D0030",
        "ジョン スミス",
        "ジョン スミス",
        41,
        "male",
        "foreign_with_period",
        nationality="USA",
    ),
]


#: The renewal walkthrough's certificates end this many days from the day the
#: demo is loaded: inside the three-month renewal window (§3) on any day.
RENEWAL_DUE_IN_DAYS = 45


def _renewal_birthday(today: dt.date, age: int) -> dt.date:
    """A birth date whose next birthday is RENEWAL_DUE_IN_DAYS away: certificates
    end on the 5th birthday after issuance (§3), so this resident's fall inside
    the renewal window whatever day it is. 29 February moves to 1 March."""
    day = today + dt.timedelta(days=RENEWAL_DUE_IN_DAYS)
    if (day.month, day.day) == (2, 29):
        day += dt.timedelta(days=1)
    return day.replace(year=day.year - age)


def _birth_date(
    spec: tuple[int, int, int] | int, today: dt.date, situation: str = "adult"
) -> dt.date:
    if isinstance(spec, tuple):
        return dt.date(*spec)
    if situation == "renewal_due":
        return _renewal_birthday(today, spec)
    # Spread birthdays over the year so the ages and renewal windows vary.
    offset = (spec * 37) % 360
    base = dt.date(today.year - spec, 1, 1) + dt.timedelta(days=offset)
    return base if base <= today.replace(year=base.year) else base.replace(day=1)


def _ensure_user(login: DemoLogin, municipality: Municipality) -> None:
    user_model = get_user_model()
    # Clerks get no admin at all: only supervisors and auditors are staff.
    staff = login.role in (ROLE_SUPERVISOR, ROLE_AUDITOR)
    user, created = user_model.objects.get_or_create(
        username=login.username, defaults={"is_staff": staff}
    )
    if created or not user.check_password(DEMO_PASSWORD) or user.is_staff != staff:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = staff
        user.save()
    user.groups.add(Group.objects.get(name=login.role))
    office = (
        Office.objects.get(municipality=municipality, code=login.office_code)
        if login.office_code
        else None
    )
    StaffProfile.objects.update_or_create(
        user=user, defaults={"municipality": municipality, "office": office}
    )


def _card_and_certificates(resident: Resident, situation: str, today: dt.date) -> None:
    if situation in {"no_card", "not_registered"} or resident.cards.exists():
        return
    years_ago = {"expired_certs": 6, "renewal_due": 5}.get(situation, 2)
    issued_on = today - dt.timedelta(days=365 * years_ago + 40)
    if situation == "renewal_due":
        # Issued a month after the birthday five birthdays before the coming one:
        # the 5th birthday after issuance is RENEWAL_DUE_IN_DAYS away (§3).
        coming = nth_birthday_after(resident.birth_date, today, 1)
        issued_on = anniversary(resident.birth_date, coming.year - 5) + dt.timedelta(
            days=30
        )
    expires = card_expiry(
        issued_on=issued_on,
        birth_date=resident.birth_date,
        residence_period_end=resident.residence_period_end,
    )
    if situation == "expired_certs":
        expires = max(expires, today + dt.timedelta(days=365 * 3))
    card = Card.objects.create(
        municipality=resident.municipality,
        resident=resident,
        kind=CardKind.STANDARD,
        issued_on=issued_on,
        expires_on=expires,
        status=CardStatus.SUSPENDED
        if situation == "card_suspended"
        else CardStatus.ACTIVE,
        status_changed_at=timezone.now() if situation == "card_suspended" else None,
    )
    auth = certificate_expiry(
        kind=CertificateKind.AUTHENTICATION,
        issued_on=issued_on,
        birth_date=resident.birth_date,
        card_expires_on=expires,
        residence_period_end=resident.residence_period_end,
    )
    kinds = [(CertificateKind.AUTHENTICATION, auth.expires_on)]
    age = resident.age_on(issued_on)
    if age >= 15 and not resident.is_adult_ward:
        signing = certificate_expiry(
            kind=CertificateKind.SIGNING,
            issued_on=issued_on,
            birth_date=resident.birth_date,
            card_expires_on=expires,
            authentication_expires_on=auth.expires_on,
            residence_period_end=resident.residence_period_end,
        )
        kinds.append((CertificateKind.SIGNING, signing.expires_on))
    for index, (kind, cert_expires) in enumerate(kinds):
        status, reason = CertificateStatus.ACTIVE, CertificateStatusReason.NONE
        if situation == "card_suspended":
            status = CertificateStatus.SUSPENDED
            reason = CertificateStatusReason.SUSPENDED_ON_LOSS
        elif cert_expires < today:
            status = CertificateStatus.EXPIRED
            reason = CertificateStatusReason.VALIDITY_ENDED
        Certificate.objects.create(
            municipality=resident.municipality,
            card=card,
            kind=kind,
            serial_number=(
                f"{resident.register_id}{index:02d}"
                if kind == CertificateKind.SIGNING
                else ""
            ),
            issued_on=issued_on,
            expires_on=cert_expires,
            status=status,
            status_reason=reason,
            pin_locked=(
                situation == "signing_pin_locked" and kind == CertificateKind.SIGNING
            ),
        )


def _demo_hours(municipality: Municipality) -> None:
    """The demo's main office is open around the clock, holidays too, so the
    walkthrough works whenever someone tries it; 北部支所 keeps the seed city's
    hours, so the out-of-hours refusal can be seen there (clerk_branch)."""
    main = Office.objects.get(municipality=municipality, code="honcho")
    for weekday in range(7):
        OpeningHours.objects.get_or_create(
            profile=municipality.profile,
            office=main,
            weekday=weekday,
            opens=dt.time(0, 0),
            closes=dt.time(23, 59, 59),
            defaults={"open_on_holidays": True},
        )


def load_demo_data() -> Municipality:
    today = timezone.localdate()
    with transaction.atomic():
        municipality = Municipality.objects.filter(code=MUNICIPALITY_CODE).first()
        if municipality is None:
            municipality = municipality_create(
                code=MUNICIPALITY_CODE,
                name="厚木市",
                main_office={
                    "code": "honcho",
                    "name": "本庁 市民課",
                    "counter_name": "厚木市役所本庁舎1階 市民課窓口",
                    "postal_code": "243-8511",
                    "address": "神奈川県厚木市中町3-17-17",
                    "phone": "046-225-2039",
                },
                inquiry_deadline_days=30,
                # No year-end closure in the demo (a day that never comes): the
                # walkthroughs work on 29 Dec - 3 Jan too; a real city keeps its own.
                year_end_closure_start=DEMO_NO_CLOSURE,
                year_end_closure_end=DEMO_NO_CLOSURE,
            )
        Office.objects.get_or_create(
            municipality=municipality,
            code="kita",
            defaults={
                "name": "北部支所",
                "kind": "branch",
                "counter_name": "北部支所 窓口",
                "postal_code": "243-0203",
                "address": "神奈川県厚木市下荻野1000",
                "phone": "046-241-0000",
            },
        )
        for office_code, desk_codes in {
            "honcho": ["1", "2", "3"],
            "kita": ["1"],
        }.items():
            office = Office.objects.get(municipality=municipality, code=office_code)
            for code in desk_codes:
                Desk.objects.get_or_create(
                    office=office,
                    code=f"desk-{code}",
                    defaults={"name": f"{code}番窓口", "reader_name": ""},
                )
        _demo_hours(municipality)
        for login in DEMO_LOGINS:
            _ensure_user(login, municipality)
        for spec in RESIDENTS:
            birth = _birth_date(spec.birth, today, spec.situation)
            period_end = (
                today + dt.timedelta(days=400)
                if spec.situation == "foreign_with_period"
                else None
            )
            resident, _ = Resident.objects.get_or_create(
                municipality=municipality,
                register_id=spec.register_id,
                defaults={
                    "name": spec.name,
                    "name_kana": spec.kana,
                    "name_substitute": spec.substitute,
                    "postal_code": spec.postal_code,
                    "address": spec.address,
                    "birth_date": birth,
                    "gender": spec.gender,
                    "registration_status": (
                        RegistrationStatus.NOT_REGISTERED
                        if spec.situation == "not_registered"
                        else RegistrationStatus.REGISTERED
                    ),
                    "is_adult_ward": spec.situation == "adult_ward",
                    "nationality": spec.nationality,
                    "residence_period_end": period_end,
                    "household_code": (
                        "H-YAMADA" if spec.name.startswith("山田") else spec.register_id
                    ),
                },
            )
            _card_and_certificates(resident, spec.situation, today)
    return municipality
