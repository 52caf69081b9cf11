"""Desk API views: thin callers of :mod:`jpki_ops.services`.

Agent endpoints authenticate with :class:`DeskAgentAuthentication` and name their
run with the ``X-Agent-Session`` header; clerk endpoints use the normal login and
``.visible_to(user)`` scoping. No serializer here has a PIN field, and the services
refuse PIN-shaped keys anywhere in the JSON.
"""

from __future__ import annotations

import base64
import re
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
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter.errors import ApplicationError
from counter.models import Case, Desk
from jpki_ops import services
from jpki_ops.models import CardOperation, CardOperationKind
from jpki_ops.protocol.authorisation import CardCommand

from .authentication import DeskAgentAuthentication, IsDeskAgent
from .serializers import (
    AGENT_SESSION_PATTERN,
    AuthoriseInputSerializer,
    CertificateInputSerializer,
    FailureInputSerializer,
    ProgressInputSerializer,
    ResultInputSerializer,
)

LONG_POLL_MAX_SECONDS = 30
#: How long the server holds a poll at most (tests: 0, a held poll answers the same).
LONG_POLL_HOLD_LIMIT = LONG_POLL_MAX_SECONDS
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
    parser_classes = [JSONParser]  # the agent sends JSON only

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
        if not re.fullmatch(AGENT_SESSION_PATTERN, value):
            raise ApplicationError(
                "agent-session-missing",
                _("The desk agent must name its session (X-Agent-Session header)."),
            )
        return value


SESSION_PARAMETER = OpenApiParameter(
    "X-Agent-Session",
    {"type": "string", "pattern": AGENT_SESSION_PATTERN},
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
            OpenApiParameter(
                "wait",
                {"type": "integer", "minimum": 0, "maximum": LONG_POLL_MAX_SECONDS},
                description="Seconds to hold (0–30, default 20).",
            ),
        ],
        responses={200: OperationSerializer, 204: OpenApiResponse(description="none")},
    )
    def get(self, request: Request) -> Response:
        desk, session = self.desk(request), self.session(request)
        raw = request.query_params.get("wait", "20")
        if not re.fullmatch(r"[0-9]{1,2}", raw) or int(raw) > LONG_POLL_MAX_SECONDS:
            raise serializers.ValidationError(
                {"wait": [f"whole seconds from 0 to {LONG_POLL_MAX_SECONDS}"]}
            )
        deadline = time.monotonic() + min(int(raw), LONG_POLL_HOLD_LIMIT)
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
    InputSerializer = ProgressInputSerializer

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
    InputSerializer = ResultInputSerializer

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
    InputSerializer = FailureInputSerializer

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


class CardReadingSerializer(serializers.Serializer):
    """What a card gives without a PIN: its id, the fingerprint of its
    authentication key and its signing certificate's serial (identify and the
    idle reader report send the same reading)."""

    card_id = serializers.RegexField(r"^[A-Za-z0-9-]{1,32}$")
    card_fingerprint = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False, allow_null=True
    )
    certificate_serial = serializers.RegexField(
        r"^[0-9A-Fa-f]{1,40}$", required=False, allow_null=True
    )


class IdentifyApi(AgentView):
    """Is the card in the reader the operation's card? Asked before any PIN."""

    @extend_schema_serializer(component_name="DeskIdentifyInput")
    class InputSerializer(CardReadingSerializer):
        """The card in the reader, to be held against the operation's card."""

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


class AuthoriseApi(AgentView):
    """SIMULATION of J-LIS: unlock one issuer-only command for the card at the desk."""

    InputSerializer = AuthoriseInputSerializer

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
        data = self.valid(self.InputSerializer, request)
        cmd = data["command"]
        command = CardCommand(
            cmd["ins"], cmd["p1"], cmd["p2"], cmd.get("data_sha256") or None
        )
        ea = services.card_operation_authorise(
            **self.agent(request, pk),
            card_id=data["card_id"],
            challenge=data["challenge"],
            command=command,
        )
        return Response(
            self.OutputSerializer(
                {"external_authenticate_data": ea.hex(), "simulated_issuer": True}
            ).data
        )


class CertificateApi(AgentView):
    """cert_issue: the issuer certifies the public key the card generated."""

    InputSerializer = CertificateInputSerializer

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
        data = self.valid(self.InputSerializer, request)
        issued = services.card_operation_certify(
            **self.agent(request, pk),
            card_id=data["card_id"],
            public_key_der=base64.b64decode(data["public_key"], validate=True),
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
