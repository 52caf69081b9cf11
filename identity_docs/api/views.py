"""``GET /api/v1/identity-documents/`` and ``POST /api/v1/requirements/evaluate/``.

Both read only: the catalogue as the user's city sees it, and the evaluator's
answer for documents that have not been recorded (nothing is stored).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counter.errors import ApplicationError
from identity_docs.api.serializers import (
    DocumentKindOutput,
    EvaluateInput,
    EvaluateOutput,
    KnownCodes,
    evaluation_answer,
)
from identity_docs.evaluator import PresentedDocument
from identity_docs.reference_cache import CityReference, city_reference_for_user
from identity_docs.services import requirements_evaluate


class IdentityDocumentListApi(APIView):
    """The identity-document catalogue, with the user's city's overrides."""

    pagination_class = None

    class CatalogueParams(serializers.Serializer):
        class Meta:
            ref_name = "CatalogueQuery"

        municipality = serializers.RegexField(
            r"^\d{6}$",
            required=False,
            help_text="Operators only: local government code (six digits)",
        )

    @extend_schema(
        parameters=[CatalogueParams], responses=DocumentKindOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        params = self.CatalogueParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        code = params.validated_data.get("municipality")
        reference = city_reference_for_user(user=request.user, municipality_code=code)
        rows = reference.answers.get("catalogue")
        if rows is None:
            rows = reference.answers["catalogue"] = _catalogue_rows(reference)
        return Response(rows)


def _catalogue_rows(reference: CityReference) -> list[Any]:
    """The endpoint's answer for one state of the city's catalogue."""
    kinds = reference.catalogue
    rows = [
        {
            "code": kind.code,
            "name_ja": kind.name_ja,
            "name_en": kind.name_en,
            "document_class": kind.document_class,
            "photo": kind.photo,
            "constraints": {
                "issued_on_or_after": kind.issued_on_or_after,
                "has_expiry": kind.has_expiry,
                "expiry_required": kind.expiry_required,
                "max_age_months": kind.max_age_months,
                "accepted": kind.accepted,
                "public_issuer": kind.public_issuer,
            },
        }
        for kind in (kinds[c] for c in reference.order)
        if kind.active
    ]
    return list(DocumentKindOutput(rows, many=True).data)


class RequirementEvaluateApi(APIView):
    """Do these documents let the procedure go ahead at this visit? Stores nothing."""

    @extend_schema(request=EvaluateInput, responses=EvaluateOutput)
    def post(self, request: Request) -> Response:
        asked = _municipality_asked(request)
        reference = _reference_if_found(request, asked)
        known = KnownCodes(reference.catalogue if reference is not None else None)
        data = EvaluateInput(data=request.data, context={"known_codes": known})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if reference is None or values.get("municipality") != asked:
            reference = city_reference_for_user(
                user=request.user, municipality_code=values.get("municipality")
            )
        visits = reference.visits(values["procedure"], values["applicant_role"])
        if values["visit"] not in visits:
            raise serializers.ValidationError(
                {
                    "visit": [
                        _(
                            "This applicant has only visit %(visits)s for this "
                            "procedure."
                        )
                        % {"visits": ", ".join(str(v) for v in visits) or "-"}
                    ]
                }
            )
        try:
            result = requirements_evaluate(
                profile=None,  # the reference stands for it
                procedure=values["procedure"],
                applicant_role=values["applicant_role"],
                visit=values["visit"],
                documents=[PresentedDocument(**d) for d in values["documents"]],
                on_date=values["on_date"],
                facts=values.get("facts") or {},
                reference=reference,
            )
        except ApplicationError:
            raise
        return Response(evaluation_answer(result))


_CITY_CODE = re.compile(r"\d{6}")


def _municipality_asked(request: Request) -> str | None:
    """The ``municipality`` of the input when it is a plain six-digit code (what
    the validated input will then hold), else None."""
    data = request.data
    asked = data.get("municipality") if hasattr(data, "get") else None
    return asked if isinstance(asked, str) and _CITY_CODE.fullmatch(asked) else None


def _reference_if_found(request: Request, asked: str | None) -> CityReference | None:
    """The city's reference read before the input is validated, so the document
    codes are checked against its catalogue instead of a query (issue 14); None
    when the city is not found, which the request answers after validation
    exactly as before (a city without a profile included)."""
    try:
        return city_reference_for_user(user=request.user, municipality_code=asked)
    except (ApplicationError, ObjectDoesNotExist):
        return None
