"""A common surname alone (佐藤: 50,000 residents in a prefecture) lists one page
at once and asks the clerk for the given name or the birth date, instead of
sorting every match first (ADR 0029); a full name among them is found as before,
and every listed resident is a logged read."""

from __future__ import annotations

import re
from typing import Any

import factory
import pytest
from django.urls import reverse

from counter import selectors
from counter.models import AccessPath, AccessRecord
from tests import factories as f

pytestmark = pytest.mark.django_db

PROMPT = "名（下の名前）または生年月日を加えて検索してください"


def _many_satos(city: Any, n: int) -> None:
    f.ResidentFactory.create_batch(
        n,
        municipality=city,
        name=factory.Sequence(lambda i: f"佐藤 太郎{i}"),
        name_kana=factory.Sequence(lambda i: f"サトウ タロウ{i}"),
    )


def _names(response: Any) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong>", response.content.decode())


def test_a_common_surname_lists_a_page_and_asks_for_the_given_name(
    clerk_client: Any, city: Any
) -> None:
    _many_satos(city, selectors.SEARCH_MATCHES_CAP + 1)
    response = clerk_client.get(reverse("counter:reception"), {"q": "さとう"})
    assert response.status_code == 200
    assert PROMPT in response.content.decode()
    assert len(_names(response)) == 50
    assert AccessRecord.objects.filter(path=AccessPath.RESIDENT_SEARCH).count() == 50


def test_a_full_name_among_them_is_found_without_the_prompt(
    clerk_client: Any, city: Any
) -> None:
    _many_satos(city, selectors.SEARCH_MATCHES_CAP + 1)
    wanted = f.ResidentFactory(
        municipality=city, name="佐藤 花子", name_kana="サトウ ハナコ"
    )
    response = clerk_client.get(reverse("counter:reception"), {"q": "佐藤 花子"})
    assert _names(response) == [wanted.name]
    assert PROMPT not in response.content.decode()


def test_up_to_the_cap_every_match_is_ranked_by_kana(clerk: Any, city: Any) -> None:
    """At the cap the page is exactly the first 50 of every match by kana."""
    _many_satos(city, selectors.SEARCH_MATCHES_CAP)
    found = list(selectors.residents_search(user=clerk, query="佐藤"))
    assert not selectors.search_has_more_matches(found)
    every = sorted(
        selectors.residents_search(user=clerk, query="佐藤", limit=500),
        key=lambda r: (r.name_kana, r.birth_date),
    )
    assert [r.pk for r in found] == [r.pk for r in every[:50]]
    assert len(every) == selectors.SEARCH_MATCHES_CAP
