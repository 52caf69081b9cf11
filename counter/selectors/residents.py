"""Reads of residents: the reception search, the overview the clerk checks
before choosing a procedure, and their cards — each scoped with ``visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jaconv
from django.db.models import Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import Replace
from django.db.models.lookups import Contains, Exact, IContains
from django.utils import timezone

from counter.models import Card, Certificate, Resident
from counter.models.residents import SmartphoneCertificate


def _kana(text: str) -> str:
    """Search in katakana, full width, without spaces: ｱﾂｷﾞ / あつぎ → アツギ."""
    text = jaconv.h2z(text.strip(), kana=True, ascii=False, digit=False)
    return jaconv.hira2kata(text).replace(" ", "").replace("\u3000", "")


def _without_spaces(field: str) -> Replace:
    """The column with its ASCII and full-width (U+3000) spaces removed, in SQL, so
    アツギタロウ finds アツギ タロウ and 厚木 太郎 finds 厚木太郎 on either side."""
    return Replace(Replace(F(field), Value(" "), Value("")), Value("\u3000"), Value(""))


#: Past this many residents matching one query, reception asks for a given name
#: or a birth date instead of sorting every match (ADR 0029): 佐藤 alone is
#: 50,000 residents in a prefecture's installation.
SEARCH_MATCHES_CAP = 200


def matching_condition(query: str) -> Q:
    """The condition :func:`residents_matching` filters on, as lookups on the
    expressions themselves: the same SQL as annotating the squeezed columns and
    filtering on the annotations, without building three annotations first
    (a quarter of the search's Python time, issue 14)."""
    squeezed = query.replace(" ", "").replace("\u3000", "")
    return Q(
        IContains(_without_spaces("name"), squeezed),
        IContains(_without_spaces("name_substitute"), squeezed),
        Contains(_without_spaces("name_kana"), _kana(query)),
        Exact(F("register_id"), query),
        _connector=Q.OR,
    )


def residents_matching(qs: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """The residents of ``qs`` whose name, substitute name or kana contains
    ``query`` (spaces ignored on both sides), or whose register id it is: the
    expressions the trigram indexes of migration 0014 answer."""
    return qs.filter(matching_condition(query))


def residents_search(
    *, user: Any, query: str = "", birth_date: dt.date | None = None, limit: int = 50
) -> QuerySet[Resident]:
    """Reception search by name, kana (hiragana, half-width accepted) or birth date.

    The first ``limit`` by kana of at most :data:`SEARCH_MATCHES_CAP` + 1
    matches: every match when there are no more (a full name, a rare name), and
    never a sort of tens of thousands of rows for a common surname, for which
    :func:`search_has_more_matches` tells the clerk to narrow the search."""
    qs = Resident.objects.visible_to(user)
    query = (query or "").strip()
    if not query and birth_date is None:
        return qs.none()
    conditions = [matching_condition(query)] if query else []
    if birth_date is not None:
        conditions.append(Q(birth_date=birth_date))
    first = qs.filter(*conditions).order_by().values("pk")[: SEARCH_MATCHES_CAP + 1]
    return (
        qs.filter(pk__in=first)
        .annotate(matches=Window(Count("pk")))
        .prefetch_related("cards")
        .order_by("name_kana", "birth_date")[:limit]
    )


def search_has_more_matches(results: Iterable[Resident]) -> bool:
    """Did the search find more residents than it ranks (:data:`SEARCH_MATCHES_CAP`)?
    Then the clerk adds a given name or a birth date."""
    return any(getattr(r, "matches", 0) > SEARCH_MATCHES_CAP for r in results)


@dataclass
class ResidentOverview:
    resident: Resident
    certificates: list[Certificate] = field(default_factory=list)
    age: int | None = None
    #: §12.1: as J-LIS last reported them, newest first.
    smartphone_certificates: list[SmartphoneCertificate] = field(default_factory=list)


def resident_overview(*, user: Any, resident: Resident) -> ResidentOverview:
    """What the clerk checks before choosing a procedure: age, card, certificates."""
    certificates = list(
        Certificate.objects.visible_to(user)
        .filter(card__resident=resident)
        .select_related("card")
        .order_by("-card__issued_on", "kind")
    )
    phones = list(
        SmartphoneCertificate.objects.visible_to(user)
        .filter(card__resident=resident)
        .order_by("-registered_at", "kind")
    )
    return ResidentOverview(
        resident,
        certificates,
        resident.age_on(timezone.localdate()),
        smartphone_certificates=phones,
    )


def resident_cards(*, user: Any, resident: Resident) -> QuerySet[Card]:
    return (
        Card.objects.visible_to(user).filter(resident=resident).order_by("-issued_on")
    )
