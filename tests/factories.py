"""factory-boy factories for the counter's domain, with traits
(docs/reference/style.md §3.11).

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
from counter.services.cases import case_open, case_record_documents
from counter.services.municipalities import municipality_create
from counter.services.visits import case_send_inquiry


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


def _new_municipality() -> Municipality:
    """A municipality from its factory (which mypy sees as the factory)."""
    municipality: Municipality = MunicipalityFactory()  # type: ignore[assignment]
    return municipality


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

    office = factory.LazyAttribute(lambda o: main_office(_new_municipality()))
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


#: What the holder shows by default: the card and a driving licence.
HOLDER_SHOWS: tuple[dict[str, Any], ...] = (
    {"code": "my_number_card", "owner": "holder"},
    {"code": "driving_licence", "owner": "holder"},
)
#: What a voluntary agent shows on the first visit: the holder's card and the
#: agent's own driving licence.
AGENT_SHOWS: tuple[dict[str, Any], ...] = (
    {"code": "my_number_card", "owner": "holder"},
    {"code": "driving_licence", "owner": "applicant"},
)

#: The arguments of ``case_open`` beyond resident, office, card, procedure, role.
_OPENING = (
    "pin_kinds",
    "certificate_kinds",
    "revocation_kind",
    "applicant_name",
    "applicant_address",
    "applicant_relation",
    "uses_jlis_answer_sheet",
    "card_reissued_by_holder_fault",
    "exception_reason",
    "idempotency_key",
    "at",
)

#: Row fields the counter fills in itself when it opens a case.
_ROW_ONLY = {"municipality", "reference"}
_CASE_OPEN_NAMED = {"resident", "office", "card", "procedure", "applicant_role"}


def _documents_for(o: Any) -> list[dict[str, Any]]:
    return list(
        HOLDER_SHOWS if o.applicant_role == ApplicantRole.HOLDER else AGENT_SHOWS
    )


class CaseFactory(factory.django.DjangoModelFactory):
    """A case, in one of two ways.

    Without ``clerk``: the row as it would be after reception, written directly
    (with the first status-history row, as ``case_open`` writes it), for
    selectors and screens; ``state=`` sets a state directly.

    With ``clerk`` (and ``desk``): opened at the counter through ``case_open``
    and moved on only through the services, so every step has its history row
    and audit entry. ``shown=[...]`` records documents that satisfy the rules
    (``case_record_documents``, with ``facts``); the traits:

    - ``documents_checked``: the role's usual documents shown (``HOLDER_SHOWS``,
      ``AGENT_SHOWS``) unless ``shown`` is given;
    - ``awaiting_second_visit``: documents checked, then the inquiry letter sent
      (``case_send_inquiry``) — the end of a voluntary agent's first visit.
    """

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
    # Opened at the counter, only the PINs the test names (case_open's default).
    pin_kinds = factory.LazyAttribute(lambda o: () if o.clerk else ["signing"])
    clerk = None
    desk = None
    shown = None
    facts = None
    inquiry_sent = False

    class Params:
        documents_checked = factory.Trait(shown=factory.LazyAttribute(_documents_for))
        awaiting_second_visit = factory.Trait(documents_checked=True, inquiry_sent=True)

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        clerk = kwargs.pop("clerk")
        desk = kwargs.pop("desk")
        shown = kwargs.pop("shown")
        facts = kwargs.pop("facts")
        inquiry_sent = kwargs.pop("inquiry_sent")
        if clerk is None:
            if shown is not None or inquiry_sent:
                raise TypeError("documents and letters need a case opened by a clerk")
            return super()._create(model_class, *args, **kwargs)
        return cls._at_the_counter(clerk, desk, shown, facts, inquiry_sent, kwargs)

    @staticmethod
    def _at_the_counter(
        clerk: User,
        desk: Desk | None,
        shown: list[dict[str, Any]] | None,
        facts: dict[str, bool] | None,
        inquiry_sent: bool,
        fields: dict[str, Any],
    ) -> Case:
        unknown = set(fields) - set(_OPENING) - _ROW_ONLY - _CASE_OPEN_NAMED
        if unknown:
            raise TypeError(f"not an argument of case_open: {sorted(unknown)}")
        case = case_open(
            resident=fields["resident"],
            office=fields["office"],
            card=fields["card"],
            procedure=fields["procedure"],
            applicant_role=fields["applicant_role"],
            actor=clerk,
            desk=desk,
            **{k: v for k, v in fields.items() if k in _OPENING},
        )
        if shown is not None:
            case, evaluation = case_record_documents(
                case=case, actor=clerk, desk=desk, documents=list(shown), facts=facts
            )
            assert evaluation.satisfied, evaluation
        if inquiry_sent:
            case = case_send_inquiry(case=case, actor=clerk, desk=desk)
        case._opened_at_the_counter = True  # type: ignore[attr-defined]
        return case

    @factory.post_generation
    def opened(self: Case, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The first status-history row, as case_open writes it."""
        if create and not getattr(self, "_opened_at_the_counter", False):
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


def last_weekday_morning() -> dt.datetime:
    """10:00 on the latest Tuesday–Thursday before today, when every procedure is
    received: a case opened then is ready for its inquiry letter today."""
    now = timezone.localtime()
    day = now.date() - dt.timedelta(days=1)
    while day.weekday() not in (1, 2, 3):
        day -= dt.timedelta(days=1)
    return now.replace(year=day.year, month=day.month, day=day.day, hour=10, minute=0)


def agent_pin_change_case(
    municipality: Municipality, by: User, resident: Any = None
) -> Any:
    """A voluntary agent's PIN change, documents checked, opened
    :func:`last_weekday_morning` by ``by``: the case an inquiry letter is for."""
    resident = resident or ResidentFactory(municipality=municipality)
    return CaseFactory(
        resident=resident,
        card=CardFactory(resident=resident),
        clerk=by,
        procedure="pin_change",
        applicant_role="voluntary_agent",
        pin_kinds=["signing"],
        applicant_name="代理 次郎",
        applicant_address="神奈川県厚木市中町1-1",
        documents_checked=True,
        at=last_weekday_morning(),
    )
