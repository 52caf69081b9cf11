"""Desk API views: thin callers of :mod:`jpki_ops.services`.

Agent endpoints authenticate with :class:`DeskAgentAuthentication` and name their
run with the ``X-Agent-Session`` header; clerk endpoints use the normal login and
``.visible_to(user)`` scoping. No serializer here has a PIN field, and the services
refuse PIN-shaped keys anywhere in the JSON.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter.errors import ApplicationError
from counter.models import Case, Desk
from jpki_ops import services
from jpki_ops.models import CardOperation, CardOperationKind
from jpki_ops.protocol.authorisation import CardCommand

from .authentication import DeskAgentAuthentication, IsDeskAgent

LONG_POLL_MAX_SECONDS = 30
LONG_POLL_INTERVAL = 0.25
SESSION_HEADER = "HTTP_X_AGENT_SESSION"


@extend_schema_serializer(component_name="CardOperation")
class OperationSerializer(serializers.ModelSerializer):
    desk = serializers.CharField(source="desk.code")
    case = serializers.CharField(source="case.reference", allow_null=True, default=None)
    kind_display = serializers.CharField(source="get_kind_display")
    state_display = serializers.CharField(source="get_state_display")

    class Meta:
        model = CardOperation
        fields = [
            "id",
            "desk",
            "case",
            "kind",
            "kind_display",
            "parameters",
            "state",
            "state_display",
            "attempts",
            "progress",
            "result",
            "error_code",
            "error_message",
            "requested_at",
            "claimed_at",
            "finished_at",
        ]
        read_only_fields = fields


class AgentView(APIView):
    authentication_classes = [DeskAgentAuthentication]
    permission_classes = [IsDeskAgent]

    def desk(self, request: Request) -> Desk:
        return request.auth.desk  # type: ignore[union-attr]

    def agent(self, request: Request, pk: int) -> dict[str, Any]:
        """The keyword arguments every agent-side service takes."""
        return {
            "operation_id": pk,
            "desk": self.desk(request),
            "agent_session": self.session(request),
        }

    @staticmethod
    def valid(serializer_class: type[serializers.Serializer], request: Request) -> Any:
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def session(self, request: Request) -> str:
        value = request.META.get(SESSION_HEADER, "")
        if not value or len(value) > 100:
            raise ApplicationError(
                "agent-session-missing",
                _("The desk agent must name its session (X-Agent-Session header)."),
            )
        return value


SESSION_PARAMETER = OpenApiParameter(
    "X-Agent-Session",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Random id of this agent run; a new one after every restart.",
)


class AgentSessionApi(AgentView):
    """A (re)started agent announces itself; leftovers of its last run are settled."""

    @extend_schema_serializer(component_name="DeskAgentSessionOutput")
    class OutputSerializer(serializers.Serializer):
        desk = serializers.CharField()
        reader_name = serializers.CharField(allow_blank=True)
        settled = OperationSerializer(many=True)

    @extend_schema(
        parameters=[SESSION_PARAMETER], request=None, responses=OutputSerializer
    )
    def post(self, request: Request) -> Response:
        desk = self.desk(request)
        settled = services.desk_agent_session_start(
            desk=desk, agent_session=self.session(request)
        )
        return Response(
            self.OutputSerializer(
                {"desk": desk.code, "reader_name": desk.reader_name, "settled": settled}
            ).data
        )


class NextOperationApi(AgentView):
    """Long-poll: the next operation for this desk, or 204 after ``wait`` seconds."""

    @extend_schema(
        parameters=[
            SESSION_PARAMETER,
            OpenApiParameter("wait", int, description="Seconds to hold (0–30)."),
        ],
        responses={200: OperationSerializer, 204: OpenApiResponse(description="none")},
    )
    def get(self, request: Request) -> Response:
        desk, session = self.desk(request), self.session(request)
        try:
            wait = max(
                0, min(int(request.query_params.get("wait", 20)), LONG_POLL_MAX_SECONDS)
            )
        except ValueError:
            wait = 20
        deadline = time.monotonic() + wait
        while True:
            op = services.card_operation_claim(desk=desk, agent_session=session)
            if op is not None:
                return Response(
                    {**OperationSerializer(op).data, "pad": services.pad_heading(op)}
                )
            if time.monotonic() >= deadline:
                return Response(status=status.HTTP_204_NO_CONTENT)
            time.sleep(LONG_POLL_INTERVAL)


class ProgressApi(AgentView):
    @extend_schema_serializer(component_name="DeskProgressInput")
    class InputSerializer(serializers.Serializer):
        stage = serializers.ChoiceField(
            choices=[
                "card",
                "identifying",
                "awaiting_pin",
                "pin_refused",
                "card_io",
                "issuer",
            ],
            required=False,
        )
        card_match = serializers.ChoiceField(
            choices=[
                "recorded-fingerprint",
                "issuer-record",
                "manufacture-id",
                "no-case",
            ],
            required=False,
        )
        refusal_code = serializers.RegexField(r"^[a-z0-9-]{1,60}$", required=False)
        pin_kind = serializers.CharField(required=False)
        tries_left = serializers.IntegerField(required=False, min_value=0, max_value=15)
        max_tries = serializers.IntegerField(required=False, min_value=0, max_value=15)
        last_try = serializers.BooleanField(required=False)

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses=OperationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        op = services.card_operation_progress(
            **self.agent(request, pk),
            progress=dict(self.valid(self.InputSerializer, request)),
        )
        return Response(OperationSerializer(op).data)


class ResultApi(AgentView):
    @extend_schema_serializer(component_name="DeskResultInput")
    class InputSerializer(serializers.Serializer):
        result = serializers.DictField()

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses=OperationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.valid(self.InputSerializer, request)
        op = services.card_operation_complete(
            **self.agent(request, pk), result=data["result"]
        )
        return Response(OperationSerializer(op).data)


class FailureApi(AgentView):
    @extend_schema_serializer(component_name="DeskFailureInput")
    class InputSerializer(serializers.Serializer):
        code = serializers.RegexField(r"^[a-z0-9-]{1,60}$")
        message = serializers.CharField(max_length=500, allow_blank=True)
        extra = serializers.DictField(required=False)

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses=OperationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.valid(self.InputSerializer, request)
        op = services.card_operation_fail(
            **self.agent(request, pk),
            code=data["code"],
            message=data["message"],
            extra=data.get("extra") or {},
        )
        return Response(OperationSerializer(op).data)


class IdentifyApi(AgentView):
    """Is the card in the reader the operation's card? Asked before any PIN."""

    @extend_schema_serializer(component_name="DeskIdentifyInput")
    class InputSerializer(serializers.Serializer):
        card_id = serializers.RegexField(r"^[A-Za-z0-9-]{1,32}$")
        card_fingerprint = serializers.RegexField(
            r"^[0-9a-f]{64}$", required=False, allow_null=True
        )
        certificate_serial = serializers.RegexField(
            r"^[0-9A-Fa-f]{1,40}$", required=False, allow_null=True
        )

    @extend_schema_serializer(component_name="DeskIdentifyOutput")
    class OutputSerializer(serializers.Serializer):
        match = serializers.CharField()

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses={200: OutputSerializer, 409: OpenApiResponse(description="refused")},
    )
    def post(self, request: Request, pk: int) -> Response:
        answer = services.card_operation_identify(
            **self.agent(request, pk),
            reading=dict(self.valid(self.InputSerializer, request)),
        )
        return Response(self.OutputSerializer(answer).data)


class HexField(serializers.CharField):
    """Hex text in, bytes out; ``min_length`` / ``max_length`` count bytes."""

    def to_internal_value(self, data: Any) -> bytes:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise serializers.ValidationError("hex expected") from None


class AuthoriseApi(AgentView):
    """SIMULATION of J-LIS: unlock one issuer-only command for the card at the desk."""

    @extend_schema_serializer(component_name="DeskAuthoriseCommand")
    class CommandSerializer(serializers.Serializer):
        ins = serializers.IntegerField(min_value=0, max_value=255)
        p1 = serializers.IntegerField(min_value=0, max_value=255)
        p2 = serializers.IntegerField(min_value=0, max_value=255)
        data_sha256 = HexField(
            required=False, allow_null=True, min_length=32, max_length=32
        )

    @extend_schema_serializer(component_name="DeskAuthoriseInput")
    class InputSerializer(serializers.Serializer):
        card_id = serializers.RegexField(r"^[A-Za-z0-9-]{1,32}$")
        challenge = HexField(min_length=8, max_length=256, help_text="hex")
        command = serializers.DictField()

    @extend_schema_serializer(component_name="DeskAuthoriseOutput")
    class OutputSerializer(serializers.Serializer):
        external_authenticate_data = serializers.CharField(help_text="hex")
        simulated_issuer = serializers.BooleanField()

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cmd = self.CommandSerializer(data=data.validated_data["command"])
        cmd.is_valid(raise_exception=True)
        digest = cmd.validated_data.get("data_sha256")
        command = CardCommand(
            cmd.validated_data["ins"],
            cmd.validated_data["p1"],
            cmd.validated_data["p2"],
            digest if digest else None,
        )
        ea = services.card_operation_authorise(
            **self.agent(request, pk),
            card_id=data.validated_data["card_id"],
            challenge=data.validated_data["challenge"],
            command=command,
        )
        return Response(
            self.OutputSerializer(
                {"external_authenticate_data": ea.hex(), "simulated_issuer": True}
            ).data
        )


class CertificateApi(AgentView):
    """cert_issue: the issuer certifies the public key the card generated."""

    @extend_schema_serializer(component_name="DeskCertificateInput")
    class InputSerializer(serializers.Serializer):
        card_id = serializers.RegexField(r"^[A-Za-z0-9-]{1,32}$")
        public_key = serializers.CharField(help_text="DER SubjectPublicKeyInfo, base64")

    @extend_schema_serializer(component_name="DeskCertificateOutput")
    class OutputSerializer(serializers.Serializer):
        certificate = serializers.CharField(help_text="DER, base64")
        serial = serializers.CharField()
        not_after = serializers.DateTimeField()
        sha256 = serializers.CharField()

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            public_key = base64.b64decode(
                data.validated_data["public_key"], validate=True
            )
        except ValueError:
            raise serializers.ValidationError(
                {"public_key": "base64 expected"}
            ) from None
        issued = services.card_operation_certify(
            **self.agent(request, pk),
            card_id=data.validated_data["card_id"],
            public_key_der=public_key,
        )
        issued["certificate"] = base64.b64encode(issued["certificate"]).decode("ascii")
        return Response(self.OutputSerializer(issued).data)


# --- the clerk's screen --------------------------------------------------------------


class ClerkView(APIView):
    """Session only; the project's role permission (counter.roles) applies."""

    authentication_classes = [SessionAuthentication]


class OperationRequestApi(ClerkView):
    """Ask the agent at a desk to do something with the card. Never takes a PIN."""

    @extend_schema_serializer(component_name="DeskOperationRequestInput")
    class InputSerializer(serializers.Serializer):
        desk = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=CardOperationKind.choices)
        case = serializers.CharField(
            required=False, allow_null=True, help_text="Case reference"
        )
        parameters = serializers.DictField(required=False)
        idempotency_key = serializers.CharField(max_length=64)

    @extend_schema(request=InputSerializer, responses={201: OperationSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        desk = get_object_or_404(
            Desk.objects.visible_to(request.user), pk=data.validated_data["desk"]
        )
        case = None
        if data.validated_data.get("case"):
            case = get_object_or_404(
                Case.objects.visible_to(request.user),
                reference=data.validated_data["case"],
            )
        op = services.card_operation_request(
            desk=desk,
            kind=data.validated_data["kind"],
            case=case,
            parameters=data.validated_data.get("parameters") or {},
            idempotency_key=data.validated_data["idempotency_key"],
            requested_by=request.user,
        )
        return Response(OperationSerializer(op).data, status=status.HTTP_201_CREATED)


class OperationStatusApi(ClerkView):
    """What the clerk's screen polls: state, tries left, last-try warning, errors."""

    @extend_schema(responses=OperationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        op = get_object_or_404(
            CardOperation.objects.visible_to(request.user).select_related(
                "desk", "case"
            ),
            pk=pk,
        )
        return Response(OperationSerializer(op).data)


class OperationCancelApi(ClerkView):
    @extend_schema(request=None, responses=OperationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        op = get_object_or_404(CardOperation.objects.visible_to(request.user), pk=pk)
        op = services.card_operation_cancel(operation=op, user=request.user)
        return Response(OperationSerializer(op).data)
