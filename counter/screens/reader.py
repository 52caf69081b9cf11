"""The card step's line about the card in this desk's reader (issue 17).

Polled by the case page (htmx) while the card step waits for カード処理を開始: the
idle desk agent reports the card in its reader and
:func:`jpki_ops.services.desk_reader_card` says whether it is the case's card,
with the identify step's own matching. Nothing of the card is shown but the verdict.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jpki_ops.services import desk_reader_card

from .case import _case_or_404
from .common import clerk_view, current_desk


@clerk_view
def reader_card(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    verdict = desk_reader_card(desk=current_desk(request), card=case.card)
    return render(
        request, "counter/_reader_card.html", {"case": case, "reader": verdict}
    )
