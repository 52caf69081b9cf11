"""Foundation endpoints: who am I, and is this office open."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter.calendar import counter_status
from counter.constants import Procedure
from counter.errors import NotFound
from counter.models import Office
from counter.scoping import scope_for


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Me"

        username = serializers.CharField()
        municipality = serializers.CharField(allow_null=True)
        office = serializers.CharField(allow_null=True)
        sees_all_offices = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        profile = getattr(request.user, "staff_profile", None)
        scope = scope_for(request.user)
        return Response(
            self.OutputSerializer(
                {
                    "username": request.user.get_username(),
                    "municipality": str(profile.municipality) if profile else None,
                    "office": str(profile.office)
                    if profile and profile.office
                    else None,
                    "sees_all_offices": scope.everything or scope.office_id is None,
                }
            ).data
        )


class CounterStatusApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CounterStatusQuery"

        office = serializers.CharField(help_text="Office code")
        at = serializers.DateTimeField(required=False)
        procedure = serializers.ChoiceField(choices=Procedure.choices, required=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CounterStatus"

        open = serializers.BooleanField()
        code = serializers.CharField()
        message = serializers.CharField()

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        office = (
            Office.objects.visible_to(request.user)
            .select_related("municipality__profile")
            .filter(code=params.validated_data["office"])
            .first()
        )
        if office is None:
            raise NotFound("unknown-office", _("No such office."))
        status = counter_status(
            office=office,
            at=params.validated_data.get("at", timezone.now()),
            procedure=params.validated_data.get("procedure"),
        )
        return Response(
            self.OutputSerializer(
                {
                    "open": status.open,
                    "code": status.code,
                    "message": str(status.message),
                }
            ).data
        )
