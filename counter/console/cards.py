"""Console: record the manufacture number of a card (issue 17).

A card the system never read is identified at the desk by the number it was
manufactured with (docs/adr/0006-card-identity-before-any-pin.md); the supervisor
types it from the card's delivery papers here. The list and the form are scoped to
the supervisor's municipality; recording goes through
:func:`jpki_ops.services.card_manufacture_record`, which audits it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from counter.audit import access_record_many
from counter.models import AccessPath
from counter.screens.common import call_service
from counter.selectors.console import cards_for_identity
from jpki_ops.services import RECORD_PERMISSION, card_manufacture_record

from .views import console_view


class ManufactureIdForm(forms.Form):
    manufacture_id = forms.CharField(
        label=_("Manufacture number"), max_length=40, strip=True
    )
    reason = forms.CharField(
        label=_("Reason for a correction"), max_length=200, required=False
    )
    q = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


@console_view(RECORD_PERMISSION)
def cards(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    found = cards_for_identity(user=request.user, query=query)
    if query:
        # Residents the supervisor searched for by name: a logged read, as at
        # reception (docs/security/audit-trail.md, "What is a read").
        shown = {card.resident_id: card.resident for card in found}
        access_record_many(request, AccessPath.RESIDENT_SEARCH, shown.values())
    return render(
        request,
        "counter/console/cards.html",
        {"nav": "console", "query": query, "cards": found},
    )


@require_POST
@console_view(RECORD_PERMISSION)
def record(request: HttpRequest, card_id: int) -> HttpResponse:
    form = ManufactureIdForm(request.POST)
    back = reverse("counter:console:cards")
    if not form.is_valid():
        messages.error(request, _("Type the manufacture number."))
        return redirect(back)
    data = form.cleaned_data
    if data["q"]:
        back = f"{back}?{urlencode({'q': data['q']})}"
    saved, error = call_service(
        request,
        card_manufacture_record,
        card_id=card_id,
        manufacture_id=data["manufacture_id"],
        actor=request.user,
        reason=data["reason"],
    )
    if error is None:
        messages.success(
            request,
            _("Manufacture number %(id)s recorded.") % {"id": saved.manufacture_id},
        )
    return redirect(back)
