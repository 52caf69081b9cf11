"""Walks the URL resolver: every pattern, a concrete URL for it, and who reaches it.

Kept apart from the test so that the matrix (the expected answer) reads on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

#: What "refused" looks like: not logged in, not permitted, not found in scope.
REFUSED = {401, 403, 404}
#: Rows a refused request must never add (checked around every refused request).
WATCHED_TABLES = (
    "counter_case",
    "counter_casestatuschange",
    "counter_resident",
    "counter_office",
    "counter_desk",
    "counter_inquiryletter",
    "identity_docs_evidencepresented",
    "identity_docs_documentchoice",
    "jpki_ops_cardoperation",
)

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
#: Regex-only admin patterns: a concrete path for each.
_REGEX_SAMPLES = {
    r"admin/^(?P<app_label>": "admin/counter/",
    "admin/(?P<url>.*)$": "admin/no-such-page/",
}


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    admin_model: str | None  # "app_label/model" for a model admin's URL


def routes() -> Iterator[Route]:
    """Every URL pattern the resolver knows, with the admin model it belongs to."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[Route]:
        for p in patterns:
            text = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, text)
            elif isinstance(p, URLPattern):
                model = None
                match = re.match(r"admin/(\w+)/(\w+)/", text)
                if match and apps.all_models.get(match[1], {}).get(match[2]):
                    model = f"{match[1]}/{match[2]}"
                yield Route(text, p.name, model)

    yield from walk(get_resolver().url_patterns, "")


def url_for(route: Route, samples: dict[str, Any]) -> str:
    for prefix, concrete in _REGEX_SAMPLES.items():
        if route.pattern.startswith(prefix):
            return "/" + concrete

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if route.pattern.startswith("accounts/"):
            return "0"  # another page's staff rows: never act on a walking login
        if name == "object_id" and route.admin_model:
            return str(samples["admin_objects"].get(route.admin_model, 0))
        return str(samples.get(name, 0))

    return "/" + _PARAM.sub(fill, route.pattern).replace("^", "").replace("$", "")


def counts() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in WATCHED_TABLES)
        )
        return tuple(cursor.fetchone())


#: Write endpoints never tried with a POST: they would end the walking session.
NO_POST = {"logout", "staff_logout_everywhere"}


def reached(client: Client, url: str, name: str | None = None) -> tuple[bool, int]:
    """GET ``url``; True when the role got past authentication and permissions.

    A redirect to a login page is a refusal; the admin's redirect away from an
    object outside the scope ("no such row") too.
    """
    client.raise_request_exception = False  # a crash counts as reached, not refused
    response = client.get(url)
    for _hop in range(2):  # the admin's object URL redirects to its change page
        location = response.get("Location", "")
        if (
            response.status_code == 302
            and location.startswith(url)
            and "login" not in location
        ):
            response = client.get(location)
    if response.status_code == 405 and name in NO_POST:
        return True, 405  # it exists and answers; the method is the only refusal
    if response.status_code == 405:  # a write endpoint: try it with an empty body
        response = client.post(url, {})
    status = response.status_code
    if status in REFUSED:
        return False, status
    if status in (301, 302):
        location = response.get("Location", "")
        if "login" in location or location.rstrip("/").endswith("/admin"):
            return False, status
    return True, status


__all__ = ["REFUSED", "Route", "counts", "reached", "routes", "url_for"]
