"""Desk API: the idle agent reports the card in its reader (issue 17).

Kept apart from :mod:`.views`; the same agent authentication and session header.
The body is what the card gives without a PIN, as for ``identify``, or
``{"present": false}``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from counter.errors import Conflict
from jpki_ops import services
from jpki_ops.services.failures import REFUSALS

from .views import SESSION_PARAMETER, AgentView, CardReadingSerializer


class ReaderReportApi(AgentView):
    """What is in this desk's reader now (sent while no operation runs)."""

    @extend_schema_serializer(component_name="DeskReaderReportInput")
    class InputSerializer(CardReadingSerializer):
        """Whether a card is in the reader, and if so what it gives without a PIN."""

        present = serializers.BooleanField()
        # Absent when the reader is empty.
        card_id = serializers.RegexField(r"^[A-Za-z0-9-]{1,32}$", required=False)

    @extend_schema_serializer(component_name="DeskReaderReportOutput")
    class OutputSerializer(serializers.Serializer):
        present = serializers.BooleanField()

    @extend_schema(
        parameters=[SESSION_PARAMETER],
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = dict(self.valid(self.InputSerializer, request))
        present = data.pop("present")
        if present and not data.get("card_id"):
            # Well formed, but a card the agent could not read: the card's state
            # (409, as identify answers it), not a malformed report.
            raise Conflict(
                "card-identity-unreadable", REFUSALS["card-identity-unreadable"]
            )
        answer = services.desk_reader_report(
            desk=self.desk(request),
            agent_session=self.session(request),
            reading=data if present else None,
        )
        return Response(self.OutputSerializer(answer).data)
