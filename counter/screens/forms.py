"""Forms of the clerk screens: they check shape only; the rules live in services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from counter.constants import ApplicantRole, CertificateKind, PinKind, Procedure
from counter.models.cases import RevocationKind

#: Procedures a clerk opens at the counter (suspension comes from the call centre).
COUNTER_PROCEDURES = [
    (value, label)
    for value, label in Procedure.choices
    if value != Procedure.SUSPENSION.value
]

_ERAS = {"R": 2018, "H": 1988, "S": 1925, "T": 1911, "M": 1867}
_ERA_RE = re.compile(r"^([RHSTM])(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{1,2})$")


def parse_birth_date(text: str) -> dt.date | None:
    """1980-04-01, 19800401, 1980/4/1 or an era short form such as S55.4.1."""
    text = text.strip().upper().replace("／", "/").replace("．", ".")
    era = _ERA_RE.match(text)
    try:
        if era:
            letter, year, month, day = era.groups()
            return dt.date(_ERAS[letter] + int(year), int(month), int(day))
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        parts = re.split(r"[.\-/]", text)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            return dt.date(*(int(p) for p in parts))
    except ValueError:
        return None
    return None


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or kana"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    birth_date = forms.CharField(
        label=_("Birth date"),
        required=False,
        max_length=20,
        help_text=_("e.g. 1980-04-01, 19800401 or S55.4.1"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_birth_date(self) -> dt.date | None:
        text = self.cleaned_data.get("birth_date") or ""
        if not text.strip():
            return None
        day = parse_birth_date(text)
        if day is None:
            raise forms.ValidationError(
                _("Enter the birth date like 1980-04-01, 19800401 or S55.4.1.")
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("q") or "").strip() and not data.get("birth_date"):
            raise forms.ValidationError(
                _("Enter a name, a kana reading or a birth date to search.")
            )
        return data


class CaseOpenForm(forms.Form):
    procedure = forms.ChoiceField(
        label=_("Procedure"), choices=COUNTER_PROCEDURES, widget=forms.RadioSelect
    )
    applicant_role = forms.ChoiceField(
        label=_("Who applies"),
        choices=ApplicantRole.choices,
        initial=ApplicantRole.HOLDER,
        widget=forms.RadioSelect,
    )
    pin_kinds = forms.MultipleChoiceField(
        label=_("Which PINs"),
        choices=PinKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("PIN change and PIN reset only."),
    )
    certificate_kinds = forms.MultipleChoiceField(
        label=_("Which certificates"),
        choices=CertificateKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Issuance, renewal and revocation only."),
    )
    revocation_kind = forms.ChoiceField(
        label=_("Kind of revocation"),
        choices=[("", "—"), *RevocationKind.choices],
        required=False,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    agent_name = forms.CharField(
        label=_("Agent's name"), required=False, max_length=100
    )
    agent_name_kana = forms.CharField(
        label=_("Agent's name (kana)"), required=False, max_length=200
    )
    agent_address = forms.CharField(
        label=_("Agent's address"), required=False, max_length=300
    )
    agent_relationship = forms.CharField(
        label=_("Relationship to the holder"), required=False, max_length=100
    )
    agent_phone = forms.CharField(
        label=_("Agent's phone"), required=False, max_length=20
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("applicant_role")
        if role and role != ApplicantRole.HOLDER:
            if not (data.get("agent_name") or "").strip():
                self.add_error(
                    "agent_name", _("Enter the name of the person at the counter.")
                )
            if (
                role == ApplicantRole.LEGAL_REPRESENTATIVE
                and not (data.get("agent_relationship") or "").strip()
            ):
                self.add_error(
                    "agent_relationship",
                    _("Enter how the representative is related (parent, guardian…)."),
                )
        return data

    def agent(self) -> dict[str, str] | None:
        """The person at the counter when it is not the holder; None for the holder."""
        if self.cleaned_data["applicant_role"] == ApplicantRole.HOLDER:
            return None
        return {
            "name": self.cleaned_data["agent_name"].strip(),
            "name_kana": self.cleaned_data["agent_name_kana"].strip(),
            "address": self.cleaned_data["agent_address"].strip(),
            "relationship": self.cleaned_data["agent_relationship"].strip(),
            "phone": self.cleaned_data["agent_phone"].strip(),
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PickupForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference code on the letter"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Scan the QR code on the answer sheet or type the code."),
    )

    def clean_reference(self) -> str:
        # A scanner types the QR payload; keep the code itself, upper case.
        raw = self.cleaned_data["reference"].strip()
        return raw.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().upper()
