"""The case actions that are one POST over one case service each: validate, find
the case (and the desk) within the user's scope, call the service, answer the case
(split from counter/api/cases.py, which keeps the reads and the richer actions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter.services import cases as case_services
from counter.services import visits

from .cases import CaseDeskInput, _case, _desk, _out
from .fields import REASON_MAX_LENGTH, optional_text, reason_text
from .serializers import CaseSerializer


def _case_action(
    name: str, input_serializer: type[serializers.Serializer], service: Any, doc: str
) -> type[APIView]:
    """One POST endpoint over one case service: validate, find the case (and
    the desk, if the input names one) within the user's scope, call, answer the
    case."""

    @extend_schema(request=input_serializer, responses=CaseSerializer, description=doc)
    def post(self: APIView, request: Request, reference: str) -> Response:
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "desk" in input_serializer().fields:
            values["desk"] = _desk(request, values.get("desk"))
        case = service(case=_case(request, reference), actor=request.user, **values)
        return _out(case)

    return type(name, (APIView,), {"post": post, "__doc__": doc})


class CaseCancelInput(CaseDeskInput):
    reason = reason_text()


class CaseRefuseInput(CaseDeskInput):
    code = serializers.SlugField(
        max_length=60, help_text="A stable reason code, e.g. identity-unconfirmed"
    )
    reason = reason_text()


class ExceptionDecisionInput(serializers.Serializer):
    note = reason_text()


class ExceptionRejectionInput(serializers.Serializer):
    # Rejecting needs no note (the service records the refusal code); an
    # approval does (§7).
    note = optional_text(REASON_MAX_LENGTH)


CaseSendInquiryApi = _case_action(
    "CaseSendInquiryApi",
    CaseDeskInput,
    visits.case_send_inquiry,
    "End of a voluntary agent's first visit: the inquiry letter (§6.2).",
)
CaseCompleteApi = _case_action(
    "CaseCompleteApi",
    CaseDeskInput,
    case_services.case_complete,
    "Hand-over: the procedure's effects and the receipt (§15).",
)
CaseCancelApi = _case_action(
    "CaseCancelApi",
    CaseCancelInput,
    case_services.case_cancel,
    "The application is withdrawn, with the reason.",
)
CaseRefuseApi = _case_action(
    "CaseRefuseApi",
    CaseRefuseInput,
    case_services.case_refuse,
    "The case cannot be served (identity not confirmed …), with a reason code.",
)
CaseApproveExceptionApi = _case_action(
    "CaseApproveExceptionApi",
    ExceptionDecisionInput,
    case_services.case_approve_exception,
    "§7: a supervisor approves a signing certificate for an under-15 or a ward.",
)
CaseRejectExceptionApi = _case_action(
    "CaseRejectExceptionApi",
    ExceptionRejectionInput,
    case_services.case_reject_exception,
    "§7: the supervisor does not approve; the case ends as refused.",
)
