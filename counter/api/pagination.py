"""Keyset (cursor) pagination for the API's case lists (issue 14; ADR 0022).

A page is ``{"next": <url or null>, "results": [...]}``. ``next`` carries an
opaque ``cursor`` (counter/selectors/paging.py): the sort key of the page's last
row, so the following page is an index range, as fast on page 1,000 as on page
1, and stable while rows are added. ``limit`` is bounded (:data:`MAX_LIMIT`).
There is no total count: counting a day's queue or a year of cases is a scan,
and the counter needs the next page, not the number of pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from counter.selectors.paging import BadCursor, _decode, _encode, keyset

DEFAULT_LIMIT = 20
MAX_LIMIT = 200


class PageParams(serializers.Serializer):
    """The query parameters of every keyset-paged list."""

    class Meta:
        ref_name = "PageQuery"

    cursor = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Where the page starts: the ``cursor`` of the previous page's "
        "``next`` link (opaque). Absent: the first page.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=f"Rows per page (at most {MAX_LIMIT}).",
    )


def page_of(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The schema of one page of ``item`` rows (for ``extend_schema``)."""
    page = type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(
                allow_null=True,
                help_text="The next page, or null on the last one.",
            ),
            "results": item(many=True),
        },
    )
    return page()


def keyset_page(
    request: Request, queryset: QuerySet[Any], keys: Sequence[str]
) -> tuple[list[Any], str | None]:
    """One page of ``queryset`` ordered by ``keys`` (ascending, the last one
    unique, e.g. ``("created_at", "pk")``), and the URL of the next page."""
    params = PageParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    try:
        rows, position = keyset(
            queryset,
            keys,
            cursor=params.validated_data.get("cursor"),
            limit=params.validated_data["limit"],
        )
    except BadCursor as exc:
        raise serializers.ValidationError(
            {"cursor": [_("This is not a cursor this list gave out.")]}
        ) from exc
    if position is None:
        return rows, None
    return rows, replace_query_param(request.build_absolute_uri(), "cursor", position)


def keyset_position(
    request: Request, model: type[Model], keys: Sequence[str]
) -> tuple[list[Any] | None, int]:
    """The page ``request`` asks for as (the sort key it starts after, or None
    for the first page; the page's size), refused as :func:`keyset_page`
    refuses it: for a list read without a query set (counter/api/cases.py)."""
    if not request.query_params:
        return None, DEFAULT_LIMIT  # what PageParams gives for no parameters
    params = PageParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    cursor = params.validated_data.get("cursor")
    try:
        after = _decode(cursor, model, keys) if cursor else None
    except BadCursor as exc:
        raise serializers.ValidationError(
            {"cursor": [_("This is not a cursor this list gave out.")]}
        ) from exc
    return after, params.validated_data["limit"]


def next_page_url(request: Request, last: Sequence[Any]) -> str:
    """The next page's URL after the row whose sort key is ``last``, as
    :func:`keyset_page` writes it."""
    return replace_query_param(request.build_absolute_uri(), "cursor", _encode(last))
