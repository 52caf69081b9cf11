"""The signed challenge that binds a desk agent session to the agent's key pair
(docs/security/input-and-desk.md): ``GET agent/challenge/`` with the token, then
``POST agent/proof/`` with the challenge signed by the agent's Ed25519 key."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jpki_ops.models import DeskAgentCredential
from jpki_ops.services import desk_agent_challenge, desk_agent_prove

from .authentication import DeskAgentAuthentication, HasDeskAgentToken
from .serializers import BASE64
from .views import SESSION_PARAMETER, AgentView

#: issued time, credential, nonce, MAC (jpki_ops/services/credentials.py).
CHALLENGE = r"^[0-9]{1,12}\.[0-9]{1,12}\.[A-Za-z0-9_-]{1,64}\.[0-9a-f]{64}$"


class ChallengeApi(APIView):
    """A fresh challenge for the calling credential, valid two minutes."""

    authentication_classes = [DeskAgentAuthentication]
    permission_classes = [HasDeskAgentToken]

    class ChallengeOutput(serializers.Serializer):
        class Meta:
            ref_name = "DeskAgentChallenge"

        challenge = serializers.CharField()

    @extend_schema(responses=ChallengeOutput)
    def get(self, request: Request) -> Response:
        credential = request.auth
        assert isinstance(credential, DeskAgentCredential)
        return Response({"challenge": desk_agent_challenge(credential=credential)})


class ProofApi(APIView):
    """The agent's signature of the challenge, its session and a fixed context."""

    authentication_classes = [DeskAgentAuthentication]
    permission_classes = [HasDeskAgentToken]

    class ProofInput(serializers.Serializer):
        class Meta:
            ref_name = "DeskAgentProof"

        # The shapes the schema states, so that a schema-valid call is never
        # refused as blank: what agent/challenge/ gave out, a base64 signature.
        challenge = serializers.RegexField(
            CHALLENGE, max_length=200, help_text="as agent/challenge/ gave it"
        )
        signature = serializers.RegexField(
            BASE64,
            min_length=4,
            max_length=200,
            help_text="Ed25519 signature, base64",
        )

    class ProofOutput(serializers.Serializer):
        class Meta:
            ref_name = "DeskAgentProven"

        desk = serializers.CharField()

    @extend_schema(
        parameters=[SESSION_PARAMETER], request=ProofInput, responses=ProofOutput
    )
    def post(self, request: Request) -> Response:
        credential = request.auth
        assert isinstance(credential, DeskAgentCredential)
        data = self.ProofInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = AgentView().session(request)
        desk_agent_prove(
            credential=credential,
            agent_session=session,
            challenge=data.validated_data["challenge"],
            signature=data.validated_data["signature"],
        )
        return Response({"desk": credential.desk.code})
