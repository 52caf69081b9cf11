from typing import Any

from django.conf import settings
from django.http import HttpRequest


def environment(request: HttpRequest) -> dict[str, Any]:
    """The environment label on every page, so a demo is never taken for production."""
    return {
        "ENVIRONMENT_LABEL": settings.ENVIRONMENT_LABEL,
        "ISSUER_IS_SIMULATED": settings.JPKI_ISSUER_BACKEND == "simulator",
    }
