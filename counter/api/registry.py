"""Resident search, the resident register's events, call-centre suspensions and the
supervisor's lists — each one endpoint over a service or selector."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter import selectors
from counter.audit import access_record_many, access_record_residents, read_log
from counter.constants import CertificateKind, Gender
from counter.errors import NotFound, PermissionDenied
from counter.models import AccessPath, Card
from counter.selectors.residents import ResidentFound, resident_search_rows
from counter.services.register_events import EVENT_KINDS, register_event_apply
from counter.services.suspensions import HOLD, REVOKE, suspension_record
from counter.workflows import workflow_for

from .fields import REASON_MAX_LENGTH, KeyedChoicesField, optional_text, row_id
from .pagination import PageParams, keyset_page, page_of
from .serializers import CaseSerializer, ResidentBriefSerializer


def _require(request: Request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("not-permitted", _("You are not allowed to do this."))


class CardBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    expires_on = serializers.DateField()


class RegisterChangesInput(serializers.Serializer):
    """The register fields an event may change (``CHANGEABLE_FIELDS``), each
    bounded like the resident's column; anything else is refused."""

    class Meta:
        ref_name = "RegisterChanges"

    name = serializers.CharField(required=False, max_length=100)
    name_kana = serializers.CharField(required=False, max_length=200)
    name_substitute = serializers.CharField(
        required=False, allow_blank=True, max_length=100
    )
    address = serializers.CharField(required=False, max_length=300)
    address_substitute = serializers.CharField(
        required=False, allow_blank=True, max_length=300
    )
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=8)
    household_code = serializers.CharField(
        required=False, allow_blank=True, max_length=20
    )
    gender = serializers.ChoiceField(required=False, choices=Gender.choices)
    birth_date = serializers.DateField(required=False)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {k: [_("The counter does not keep this field.")] for k in unknown}
                )
        return super().to_internal_value(data)


#: Residents one search answers by default and at most (the selector's own cap).
SEARCH_DEFAULT_LIMIT = 20
SEARCH_MAX_LIMIT = 50


class ResidentSearchOutput(ResidentBriefSerializer):
    """A resident the search found, with their cards."""

    cards = CardBriefSerializer(many=True, source="cards.all")

    # Written out field by field: DRF's generic path spends more on twenty
    # nested rows than the search itself (issue 14, ``bench/api.py``); a test
    # holds both answers equal.
    def to_representation(self, resident: Any) -> dict[str, Any]:
        return {
            "id": resident.pk,
            "register_id": str(resident.register_id),
            "name": str(resident.name),
            "name_kana": str(resident.name_kana),
            "birth_date": resident.birth_date.isoformat(),
            "registration_status": str(resident.registration_status),
            "cards": [
                {
                    "id": card.pk,
                    "kind": str(card.kind),
                    "status": str(card.status),
                    "expires_on": card.expires_on.isoformat(),
                }
                for card in resident.cards.all()
            ],
        }


def search_answer(found: list[ResidentFound]) -> list[dict[str, Any]]:
    """:class:`ResidentSearchOutput`'s answer written from the values the search
    read (no model instances; issue 14). A test holds it equal to DRF's."""
    return [
        {
            "id": r.id,
            "register_id": r.register_id,
            "name": r.name,
            "name_kana": r.name_kana,
            "birth_date": r.birth_date.isoformat(),
            "registration_status": r.registration_status,
            "cards": [
                {
                    "id": card.id,
                    "kind": card.kind,
                    "status": card.status,
                    "expires_on": card.expires_on.isoformat(),
                }
                for card in r.cards
            ],
        }
        for r in found
    ]


#: The longest search text, once trimmed.
SEARCH_QUERY_MAX_LENGTH = 100


def plain_search(params: Any) -> str | None:
    """The text of a search given as ``q`` alone, as ``ResidentSearchParams``
    takes it (trimmed; at most :data:`SEARCH_QUERY_MAX_LENGTH` characters, no
    NUL, no surrogate), without building the serializer, which copies its
    fields for every search (issue 14;
    docs/adr/0040-kept-statements-planned-once.md). None for anything else:
    the serializer validates or refuses it, with its own messages."""
    if len(params) != 1 or "q" not in params:
        return None
    query = params["q"]
    if not isinstance(query, str):
        return None
    query = query.strip()
    if len(query) > SEARCH_QUERY_MAX_LENGTH or "\x00" in query:
        return None
    if any("\ud800" <= character <= "\udfff" for character in query):
        return None
    return query


class ResidentSearchApi(APIView):
    class ResidentSearchParams(serializers.Serializer):
        q = serializers.CharField(
            required=False,
            default="",
            allow_blank=True,
            max_length=SEARCH_QUERY_MAX_LENGTH,
        )
        birth_date = serializers.DateField(required=False, allow_null=True)
        limit = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=SEARCH_MAX_LIMIT,
            default=SEARCH_DEFAULT_LIMIT,
            help_text="Residents answered, first by kana "
            f"(at most {SEARCH_MAX_LIMIT}).",
        )

    @extend_schema(
        parameters=[ResidentSearchParams], responses=ResidentSearchOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        query = plain_search(request.query_params)
        if query is not None:
            given: dict[str, Any] = {"q": query, "limit": SEARCH_DEFAULT_LIMIT}
        else:
            params = self.ResidentSearchParams(data=request.query_params)
            params.is_valid(raise_exception=True)
            given = params.validated_data
        logged = connection.vendor == "postgresql"
        found = resident_search_rows(
            user=request.user,
            query=given["q"],
            birth_date=given.get("birth_date"),
            limit=given["limit"],
            # Every resident answered is a read, logged by the search's own
            # statement (ADR 0038); the demo's SQLite logs it afterwards.
            log=read_log(request, AccessPath.API_SEARCH) if logged else None,
        )
        if not logged:
            access_record_residents(
                request,
                AccessPath.API_SEARCH,
                [(r.id, r.municipality_id) for r in found],
            )
        return Response(search_answer(found))


class RegisterEventApi(APIView):
    """The resident register reports a change (§8); applied once per ``event_id``.

    Needs ``counter.add_registerevent`` (the register's integration account).
    """

    class RegisterEventInput(serializers.Serializer):
        event_id = serializers.CharField(max_length=64)
        kind = serializers.ChoiceField(choices=[(k, k) for k in EVENT_KINDS])
        register_id = serializers.CharField(max_length=20)
        occurred_on = serializers.DateField()
        changes = RegisterChangesInput(required=False, default=dict)
        minor_correction = serializers.BooleanField(required=False, default=False)

    class RegisterEventOutput(serializers.Serializer):
        event_id = serializers.CharField()
        kind = serializers.CharField()
        outcome = serializers.DictField()

    @extend_schema(request=RegisterEventInput, responses={201: RegisterEventOutput})
    def post(self, request: Request) -> Response:
        _require(request, "counter.add_registerevent")
        profile = getattr(request.user, "staff_profile", None)
        if profile is None:
            raise PermissionDenied(
                "no-municipality", _("This account belongs to no municipality.")
            )
        data = self.RegisterEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = register_event_apply(
            municipality=profile.municipality, actor=request.user, **data.validated_data
        )
        return Response(
            self.RegisterEventOutput(event).data, status=status.HTTP_201_CREATED
        )


class SuspensionRecordApi(APIView):
    """§10: the call centre's report of a lost or stolen card (24 h)."""

    class SuspensionInput(serializers.Serializer):
        card = row_id()
        certificate_outcome = KeyedChoicesField(
            keys=list(CertificateKind.values),
            child=serializers.ChoiceField(choices=[HOLD, REVOKE]),
            required=False,
            default=dict,
            help_text="Per certificate kind: suspended (J-LIS default) or revoked.",
        )
        police_receipt_number = optional_text(40)
        note = optional_text(REASON_MAX_LENGTH)

    @extend_schema(request=SuspensionInput, responses={201: CaseSerializer})
    def post(self, request: Request) -> Response:
        _require(request, "counter.add_case")
        data = self.SuspensionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        card = Card.objects.visible_to(request.user).filter(pk=v.pop("card")).first()
        if card is None:
            raise NotFound("card-not-found", _("No such card."))
        case = suspension_record(card=card, actor=request.user, **v)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


def _case_page(request: Request, queryset: Any, keys: tuple[str, ...]) -> Response:
    rows, next_url = keyset_page(request, queryset, keys)
    access_record_many(request, AccessPath.API_CASE_LIST, rows)
    return Response(
        {
            "next": next_url,
            "results": CaseSerializer([workflow_for(c) for c in rows], many=True).data,
        }
    )


class ApprovalsWaitingApi(APIView):
    @extend_schema(
        operation_id="cases_awaiting_approval_list",
        parameters=[PageParams],
        responses=page_of(CaseSerializer, "ApprovalsWaitingPage"),
        description="§7 exceptions waiting for a supervisor, oldest first, one "
        "page at a time.",
    )
    def get(self, request: Request) -> Response:
        rows = selectors.cases_awaiting_approval(user=request.user)
        return _case_page(request, rows, ("created_at", "pk"))


class OverdueSecondVisitsApi(APIView):
    @extend_schema(
        operation_id="cases_overdue_second_visits_list",
        parameters=[PageParams],
        responses=page_of(CaseSerializer, "OverdueSecondVisitsPage"),
        description="Agents past their second-visit deadline (§6.2), the longest "
        "overdue first, one page at a time.",
    )
    def get(self, request: Request) -> Response:
        rows = selectors.cases_overdue_second_visit(user=request.user)
        return _case_page(request, rows, ("second_visit_deadline", "pk"))


class DailyCountsApi(APIView):
    class DailyCountsParams(serializers.Serializer):
        day_from = serializers.DateField(required=False)
        day_to = serializers.DateField(required=False)

    class DailyCountsOutput(serializers.Serializer):
        day = serializers.DateField()
        procedure = serializers.CharField()
        office__code = serializers.CharField()
        office__name = serializers.CharField()
        opened = serializers.IntegerField()
        completed = serializers.IntegerField()

    @extend_schema(
        parameters=[DailyCountsParams], responses=DailyCountsOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        params = self.DailyCountsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = timezone.localdate()
        rows = selectors.case_counts_daily(
            user=request.user,
            day_from=params.validated_data.get("day_from", today),
            day_to=params.validated_data.get("day_to", today),
        )
        return Response(self.DailyCountsOutput(rows, many=True).data)
