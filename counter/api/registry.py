"""Resident search, the resident register's events, call-centre suspensions and the
supervisor's lists — each one endpoint over a service or selector."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter import selectors
from counter.errors import NotFound, PermissionDenied
from counter.models import Card
from counter.services.register_events import EVENT_KINDS, register_event_apply
from counter.services.suspensions import HOLD, REVOKE, suspension_record
from counter.workflows import workflow_for

from .serializers import CaseSerializer, ResidentBriefSerializer


def _require(request: Request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("not-permitted", _("You are not allowed to do this."))


class CardBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    expires_on = serializers.DateField()


class ResidentSearchApi(APIView):
    class ResidentSearchParams(serializers.Serializer):
        q = serializers.CharField(required=False, default="", allow_blank=True)
        birth_date = serializers.DateField(required=False, allow_null=True)

    class ResidentSearchOutput(ResidentBriefSerializer):
        cards = CardBriefSerializer(many=True, source="cards.all")

    @extend_schema(
        parameters=[ResidentSearchParams], responses=ResidentSearchOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        params = self.ResidentSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = selectors.residents_search(
            user=request.user,
            query=params.validated_data["q"],
            birth_date=params.validated_data.get("birth_date"),
        )
        return Response(self.ResidentSearchOutput(found, many=True).data)


class RegisterEventApi(APIView):
    """The resident register reports a change (§8); applied once per ``event_id``.

    Needs ``counter.add_registerevent`` (the register's integration account).
    """

    class RegisterEventInput(serializers.Serializer):
        event_id = serializers.CharField(max_length=64)
        kind = serializers.ChoiceField(choices=[(k, k) for k in EVENT_KINDS])
        register_id = serializers.CharField(max_length=20)
        occurred_on = serializers.DateField()
        changes = serializers.DictField(required=False, default=dict)
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
        card = serializers.IntegerField()
        certificate_outcome = serializers.DictField(
            child=serializers.ChoiceField(choices=[HOLD, REVOKE]),
            required=False,
            default=dict,
        )
        police_receipt_number = serializers.CharField(
            required=False, default="", allow_blank=True
        )
        note = serializers.CharField(required=False, default="", allow_blank=True)

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


class ApprovalsWaitingApi(APIView):
    @extend_schema(responses=CaseSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.cases_awaiting_approval(user=request.user)
        return Response(CaseSerializer([workflow_for(c) for c in rows], many=True).data)


class OverdueSecondVisitsApi(APIView):
    @extend_schema(responses=CaseSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.cases_overdue_second_visit(user=request.user)
        return Response(CaseSerializer([workflow_for(c) for c in rows], many=True).data)


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
