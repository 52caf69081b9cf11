"""factory-boy factories for the counter's domain, with traits (style.md §3.11).

General on purpose: procedure tests, selector tests and foundation tests use them.
A municipality is made through ``municipality_create`` so it has its profile,
main office, seed hours and identity-document rules like a real installation.
Birth dates are relative to "today" when the object is built, so traits keep
their meaning under freezegun.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from counter.constants import (
    ApplicantRole,
    CardKind,
    CardStatus,
    CertificateKind,
    CertificateStatus,
    Gender,
    OfficeKind,
    Procedure,
    RegistrationStatus,
)
from counter.models import (
    Card,
    Case,
    CaseStatusChange,
    Certificate,
    Desk,
    Municipality,
    Office,
    Resident,
    StaffProfile,
)
from counter.roles import ROLE_AUDITOR, ROLE_CLERK, ROLE_SUPERVISOR
from counter.services.municipalities import municipality_create


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    # Far from real codes used by fixtures (厚木市 142123), so no sequence meets them.
    code = factory.Sequence(lambda n: f"{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"テスト市{n}")

    @classmethod
    def _create(
        cls, model_class: type[Municipality], *args: Any, **kwargs: Any
    ) -> Municipality:
        return municipality_create(
            code=kwargs["code"],
            name=kwargs["name"],
            main_office={
                "code": "honcho",
                "name": f"{kwargs['name']} 本庁",
                "phone": "046-225-2111",
                "counter_name": "市民課窓口",
                "postal_code": "243-8511",
                "address": "神奈川県厚木市中町3-17-17",
            },
        )


def main_office(municipality: Municipality) -> Office:
    return municipality.offices.get(code="honcho")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"branch{n}")
    name = factory.Sequence(lambda n: f"支所{n}")
    kind = OfficeKind.BRANCH


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    office = factory.LazyAttribute(lambda o: main_office(MunicipalityFactory()))
    code = factory.Sequence(lambda n: f"desk{n}")
    name = factory.Sequence(lambda n: f"{n}番窓口")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    municipality = factory.SubFactory(MunicipalityFactory)
    register_id = factory.Sequence(lambda n: f"R{n:08d}")
    name = factory.Sequence(lambda n: f"厚木 太郎{n}")
    name_kana = factory.Sequence(lambda n: f"アツギ タロウ{n}")
    postal_code = "243-0018"
    address = factory.Sequence(lambda n: f"神奈川県厚木市中町1-{n}")
    birth_date = factory.LazyFunction(lambda: years_ago(40, 100))
    gender = Gender.MALE
    registration_status = RegistrationStatus.REGISTERED

    class Params:
        adult = factory.Trait(
            birth_date=factory.LazyFunction(lambda: years_ago(40, 100))
        )
        minor_15_17 = factory.Trait(
            birth_date=factory.LazyFunction(lambda: years_ago(16, 30))
        )
        under_15 = factory.Trait(
            birth_date=factory.LazyFunction(lambda: years_ago(10, 30))
        )
        adult_ward = factory.Trait(is_adult_ward=True)
        foreign_with_period = factory.Trait(
            nationality="VNM",
            residence_period_end=factory.LazyFunction(
                lambda: timezone.localdate() + dt.timedelta(days=400)
            ),
        )
        not_registered = factory.Trait(
            registration_status=RegistrationStatus.NOT_REGISTERED
        )
        moved_out = factory.Trait(registration_status=RegistrationStatus.MOVED_OUT)


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    resident = factory.SubFactory(ResidentFactory)
    municipality = factory.SelfAttribute("resident.municipality")
    kind = CardKind.STANDARD
    issued_on = factory.LazyFunction(lambda: years_ago(2))
    expires_on = factory.LazyFunction(lambda: years_ago(-8))
    status = CardStatus.ACTIVE
    auth_key_fingerprint = factory.Sequence(
        lambda n: hashlib.sha256(f"card-{n}".encode()).hexdigest()
    )

    class Params:
        suspended = factory.Trait(status=CardStatus.SUSPENDED)
        abolished = factory.Trait(status=CardStatus.ABOLISHED)
        expired = factory.Trait(
            issued_on=factory.LazyFunction(lambda: years_ago(10, 10)),
            expires_on=factory.LazyFunction(lambda: years_ago(0, 5)),
        )
        face_authentication = factory.Trait(kind=CardKind.FACE_AUTHENTICATION)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    card = factory.SubFactory(CardFactory)
    municipality = factory.SelfAttribute("card.municipality")
    kind = CertificateKind.SIGNING
    serial_number = ""
    issued_on = factory.LazyFunction(lambda: years_ago(2))
    expires_on = factory.LazyFunction(lambda: years_ago(-3))
    status = CertificateStatus.ACTIVE

    class Params:
        authentication = factory.Trait(kind=CertificateKind.AUTHENTICATION)
        in_renewal_window = factory.Trait(
            issued_on=factory.LazyFunction(lambda: years_ago(5)),
            expires_on=factory.LazyFunction(
                lambda: timezone.localdate() + dt.timedelta(days=40)
            ),
        )
        expired = factory.Trait(
            issued_on=factory.LazyFunction(lambda: years_ago(5, 30)),
            expires_on=factory.LazyFunction(
                lambda: timezone.localdate() - dt.timedelta(days=30)
            ),
        )
        suspended = factory.Trait(status=CertificateStatus.SUSPENDED)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row as it would be after reception; for selectors and screens.
    Procedure tests open cases through ``case_open`` instead."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    resident = factory.SubFactory(ResidentFactory)
    municipality = factory.SelfAttribute("resident.municipality")
    office = factory.LazyAttribute(lambda o: main_office(o.resident.municipality))
    card = factory.SubFactory(CardFactory, resident=factory.SelfAttribute("..resident"))
    reference = factory.Sequence(lambda n: f"CTEST-{n:06d}")
    procedure = Procedure.PIN_RESET
    applicant_role = ApplicantRole.HOLDER
    pin_kinds = factory.LazyFunction(lambda: ["signing"])

    @factory.post_generation
    def opened(self: Case, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The first status-history row, as case_open writes it."""
        if create:
            CaseStatusChange.objects.create(
                case=self, from_state="", to_state=self.state, transition="open"
            )


def staff_user(
    role: str,
    municipality: Municipality,
    office: Office | None = None,
    username: str | None = None,
) -> User:
    """A login with the role's group and a staff profile (fresh permission cache)."""
    username = username or f"{role}-{User.objects.count() + 1}"
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user, municipality=municipality, office=office)
    return User.objects.get(pk=user.pk)


def clerk(municipality: Municipality, office: Office | None = None) -> User:
    return staff_user(ROLE_CLERK, municipality, office or main_office(municipality))


def supervisor(municipality: Municipality) -> User:
    return staff_user(ROLE_SUPERVISOR, municipality, None)


def auditor(municipality: Municipality) -> User:
    return staff_user(ROLE_AUDITOR, municipality, None)
