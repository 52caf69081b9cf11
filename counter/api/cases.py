"""Every clerk action on a case as one endpoint, calling the same services as the
screens (docs/reference/architecture.md). Errors come back as ``{"code", "message",
"extra"}``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter import selectors
from counter.audit import access_record, access_record_many, read_log
from counter.constants import ApplicantRole, CertificateKind, PinKind, Procedure
from counter.errors import NotFound, PermissionDenied
from counter.input import reference_plausible
from counter.models import AccessPath, Card, Case, Desk, Office, Resident
from counter.models.cases import RevocationKind
from counter.selectors import api_cases
from counter.services import cases as case_services
from counter.services import visits
from counter.workflows import workflow_for
from identity_docs.constants import Fact

from .fields import (
    MAX_DOCUMENTS,
    OFFICE_CODE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    KeyedChoicesField,
    optional_text,
    row_id,
)
from .pagination import (
    PageParams,
    keyset_page,
    keyset_position,
    next_page_url,
    page_of,
)
from .serializers import (
    CaseAnswers,
    CaseDetailSerializer,
    CaseSerializer,
)

#: The queue's sort key: oldest first, the id breaking ties (keyset pagination).
QUEUE_KEYS = ("created_at", "pk")
#: What a case's API representation shows besides the case's own columns.
API_CASE_RELATIONS = ("resident", "office")


def _case(request: Request, reference: str) -> Case:
    if not reference_plausible(reference):
        raise NotFound("case-not-found", _("No such case."))
    case = Case.objects.visible_to(request.user).filter(reference=reference).first()
    if case is None:
        raise NotFound("case-not-found", _("No such case."))
    return workflow_for(case)


def _desk(request: Request, desk_id: int | None) -> Desk | None:
    if desk_id is None:
        return None
    desk = (
        Desk.objects.visible_to(request.user)
        .select_related("office")
        .filter(pk=desk_id)
        .first()
    )
    if desk is None:
        raise NotFound("desk-not-found", _("No such desk."))
    return desk


def _require(request: Request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("not-permitted", _("You are not allowed to do this."))


def _out(case: Case, *, created: bool = False) -> Response:
    return Response(
        CaseSerializer(case).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class CaseListOpenApi(APIView):
    """GET: today's queue of the user's office. POST: reception (受付)."""

    class CaseQueueParams(serializers.Serializer):
        office = serializers.CharField(
            required=False, max_length=OFFICE_CODE_MAX_LENGTH, help_text="Office code"
        )

    class CaseOpenInput(serializers.Serializer):
        resident = row_id()
        card = row_id(required=False, allow_null=True)
        office = serializers.CharField(
            required=False, max_length=OFFICE_CODE_MAX_LENGTH, help_text="Office code"
        )
        desk = row_id(required=False, allow_null=True)
        procedure = serializers.ChoiceField(choices=Procedure.choices)
        applicant_role = serializers.ChoiceField(choices=ApplicantRole.choices)
        pin_kinds = serializers.ListField(
            child=serializers.ChoiceField(choices=PinKind.choices),
            required=False,
            default=list,
            max_length=len(PinKind.choices),
        )
        certificate_kinds = serializers.ListField(
            child=serializers.ChoiceField(choices=CertificateKind.choices),
            required=False,
            default=list,
            max_length=len(CertificateKind.choices),
        )
        revocation_kind = serializers.ChoiceField(
            choices=RevocationKind.choices, required=False, default=""
        )
        applicant_name = optional_text(100)
        applicant_address = optional_text(300)
        applicant_relation = optional_text(100)
        uses_jlis_answer_sheet = serializers.BooleanField(required=False, default=False)
        card_reissued_by_holder_fault = serializers.BooleanField(
            required=False, default=False
        )
        exception_reason = optional_text(REASON_MAX_LENGTH)
        idempotency_key = serializers.CharField(
            required=False, default="", allow_blank=True, max_length=64
        )

    @extend_schema(
        operation_id="cases_list",
        parameters=[CaseQueueParams, PageParams],
        responses=page_of(CaseSerializer, "CasePage"),
        description="Today's queue, oldest first, one page at a time: follow "
        "``next`` until it is null.",
    )
    def get(self, request: Request) -> Response:
        scope = api_cases.compiled_scope(request.user)
        if scope is not None and not request.query_params:
            # No parameters: nothing to validate, today's first page.
            return self._page(request, scope, None)
        params = self.CaseQueueParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        office = None
        if params.validated_data.get("office"):
            office = _office(request, params.validated_data["office"])
        if scope is not None:
            return self._page(request, scope, office)
        queue = selectors.cases_today_queue(
            user=request.user, office=office, relations=API_CASE_RELATIONS
        )
        rows, next_url = keyset_page(request, queue, QUEUE_KEYS)
        # Every resident on the page is a read, logged before the answer leaves
        # (docs/security/audit-trail.md, "What is a read").
        access_record_many(request, AccessPath.API_CASE_LIST, rows)
        return Response(
            {
                "next": next_url,
                "results": CaseSerializer(
                    [workflow_for(c) for c in rows], many=True
                ).data,
            }
        )

    def _page(self, request: Request, scope: Any, office: Office | None) -> Response:
        """The queue's page read as rows through the compiled SQL
        (counter/selectors/api_cases.py), the same answer and access rows as
        the query set's path above (tests/api/test_case_endpoints_compiled_reads.py)."""
        after, limit = keyset_position(request, Case, QUEUE_KEYS)
        # Every resident on the page is a read, logged before the answer leaves
        # (docs/security/audit-trail.md, "What is a read"): by the page's own
        # statement (ADR 0038).
        rows = api_cases.queue_page(
            scope=scope,
            office_id=office.pk if office is not None else None,
            after=(after[0], after[1]) if after is not None else None,
            limit=limit,
            log=read_log(request, AccessPath.API_CASE_LIST),
        )
        answers = CaseAnswers()
        next_url = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1].case
            next_url = next_page_url(request, [last.created_at, last.pk])
        return Response(
            {"next": next_url, "results": [answers.case(row) for row in rows]}
        )

    @extend_schema(request=CaseOpenInput, responses={201: CaseSerializer})
    def post(self, request: Request) -> Response:
        _require(request, "counter.add_case")
        data = self.CaseOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        resident = (
            Resident.objects.visible_to(request.user)
            .filter(pk=v.pop("resident"))
            .first()
        )
        if resident is None:
            raise NotFound("resident-not-found", _("No such resident."))
        card_id = v.pop("card", None)
        card = (
            Card.objects.visible_to(request.user).filter(pk=card_id).first()
            if card_id
            else None
        )
        desk = _desk(request, v.pop("desk", None))
        office_code = v.pop("office", None)
        office = (
            _office(request, office_code)
            if office_code
            else (desk.office if desk else _own_office(request))
        )
        case = case_services.case_open(
            resident=resident,
            office=office,
            card=card,
            desk=desk,
            actor=request.user,
            **v,
        )
        return _out(case, created=True)


def _office(request: Request, code: str) -> Office:
    office = Office.objects.visible_to(request.user).filter(code=code).first()
    if office is None:
        raise NotFound("unknown-office", _("No such office."))
    return office


def _own_office(request: Request) -> Office:
    profile = getattr(request.user, "staff_profile", None)
    if profile is None or profile.office is None:
        raise NotFound("unknown-office", _("Say at which office the case is opened."))
    return profile.office


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        if not reference_plausible(reference):
            raise NotFound("case-not-found", _("No such case."))
        scope = api_cases.compiled_scope(request.user)
        if scope is not None:
            found = api_cases.case_with_history(scope=scope, reference=reference)
            if found is None:
                raise NotFound("case-not-found", _("No such case."))
            row, history = found
            # Logged as the query set's path logs it: the workflow's case.
            access_record(request, AccessPath.API_CASE, case=workflow_for(row.case))
            return Response(CaseAnswers().detail(row, history))
        case = selectors.case_for_api(user=request.user, reference=reference)
        # Reads of a person's case are logged, without the chain lock (issue 10 §5).
        access_record(request, AccessPath.API_CASE, case=case)
        return Response(CaseDetailSerializer(case).data)


class CaseDeskInput(serializers.Serializer):
    desk = row_id(required=False, allow_null=True)


class CaseRecordDocumentsApi(APIView):
    class PresentedDocumentInput(serializers.Serializer):
        code = serializers.CharField(max_length=60)
        owner = serializers.ChoiceField(
            choices=["holder", "applicant"], default="holder"
        )
        original = serializers.BooleanField(default=True)
        issued_on = serializers.DateField(required=False, allow_null=True)
        expires_on = serializers.DateField(required=False, allow_null=True)
        sealed = serializers.BooleanField(required=False, allow_null=True)

    class CaseDocumentsInput(CaseDeskInput):
        documents = serializers.ListField(
            child=serializers.DictField(), min_length=1, max_length=MAX_DOCUMENTS
        )
        facts = KeyedChoicesField(
            keys=list(Fact.values),
            child=serializers.BooleanField(),
            required=False,
            default=dict,
        )

    class CaseDocumentsOutput(serializers.Serializer):
        case = CaseSerializer()
        evaluation = serializers.DictField()

    @extend_schema(request=CaseDocumentsInput, responses=CaseDocumentsOutput)
    def post(self, request: Request, reference: str) -> Response:
        data = self.CaseDocumentsInput(data=request.data)
        data.is_valid(raise_exception=True)
        docs = self.PresentedDocumentInput(
            data=data.validated_data["documents"], many=True
        )
        docs.is_valid(raise_exception=True)
        case, evaluation = case_services.case_record_documents(
            case=_case(request, reference),
            actor=request.user,
            desk=_desk(request, data.validated_data.get("desk")),
            documents=[dict(d) for d in docs.validated_data],
            facts=data.validated_data["facts"],
        )
        return Response(
            {"case": CaseSerializer(case).data, "evaluation": evaluation.as_dict()}
        )


class CaseRequestCardOperationApi(APIView):
    """The clerk asks the desk agent for the next card operation; the PIN is typed
    on the desk's PIN pad, never sent here."""

    class CaseCardOperationInput(serializers.Serializer):
        desk = row_id()
        idempotency_key = serializers.CharField(max_length=64)
        # §2: the clerk warned the resident that one try is left.
        confirm_last_try = serializers.BooleanField(default=False)

    class CaseCardOperationOutput(serializers.Serializer):
        operation = serializers.IntegerField()
        kind = serializers.CharField()
        state = serializers.CharField()
        parameters = serializers.DictField()

    @extend_schema(
        request=CaseCardOperationInput, responses={201: CaseCardOperationOutput}
    )
    def post(self, request: Request, reference: str) -> Response:
        data = self.CaseCardOperationInput(data=request.data)
        data.is_valid(raise_exception=True)
        desk = _desk(request, data.validated_data["desk"])
        assert desk is not None
        operation = case_services.case_request_card_operation(
            case=_case(request, reference),
            actor=request.user,
            desk=desk,
            idempotency_key=data.validated_data["idempotency_key"],
            confirm_last_try=data.validated_data["confirm_last_try"],
        )
        return Response(
            {
                "operation": operation.pk,
                "kind": operation.kind,
                "state": operation.state,
                "parameters": operation.parameters,
            },
            status=status.HTTP_201_CREATED,
        )


class SecondVisitApi(APIView):
    """Visit 2: the clerk scans the letter's reference code (§6.2)."""

    class SecondVisitInput(serializers.Serializer):
        reference = serializers.CharField(
            max_length=40, help_text="The inquiry letter's reference code"
        )
        desk = row_id()

    @extend_schema(request=SecondVisitInput, responses=CaseSerializer)
    def post(self, request: Request) -> Response:
        data = self.SecondVisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        desk = _desk(request, data.validated_data["desk"])
        assert desk is not None
        case = visits.case_second_visit(
            reference=data.validated_data["reference"], actor=request.user, desk=desk
        )
        return _out(case)
