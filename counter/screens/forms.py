"""Forms of the clerk screens: they check shape only; the rules live in services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from counter.constants import ApplicantRole, CertificateKind, PinKind, Procedure
from counter.models import Card
from counter.models.cases import RevocationKind

#: Procedures a clerk opens at the counter (suspension comes from the call centre).
COUNTER_PROCEDURES = [
    (value, label)
    for value, label in Procedure.choices
    if value != Procedure.SUSPENSION.value
]

PIN_PROCEDURES = {Procedure.PIN_CHANGE.value, Procedure.PIN_RESET.value}
CERTIFICATE_PROCEDURES = {
    Procedure.CERT_ISSUE.value,
    Procedure.CERT_RENEW.value,
    Procedure.CERT_REVOKE.value,
}

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
        if "birth_date" in self.errors:
            # The birth date's own message says what is wrong; "enter something"
            # beside it would contradict it.
            return data
        if not (data.get("q") or "").strip() and not data.get("birth_date"):
            raise forms.ValidationError(
                _("Enter a name, a kana reading or a birth date to search.")
            )
        return data


class CaseOpenForm(forms.Form):
    card = forms.ModelChoiceField(
        label=_("Card"),
        queryset=Card.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
    )
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
    uses_jlis_answer_sheet = forms.BooleanField(
        label=_("The agent brings J-LIS's sealed inquiry-and-answer sheet (one visit)"),
        required=False,
    )
    exception_reason = forms.CharField(
        label=_("Reason for an exception (a supervisor approves it)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for a signing certificate for a child under 15 or an adult ward (§7)."
        ),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    agent_name = forms.CharField(
        label=_("Agent's name"), required=False, max_length=100
    )
    agent_address = forms.CharField(
        label=_("Agent's address"), required=False, max_length=300
    )
    agent_relationship = forms.CharField(
        label=_("Relationship to the holder"), required=False, max_length=100
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("procedure") in PIN_PROCEDURES and not data.get("pin_kinds"):
            self.add_error("pin_kinds", _("Tick the PINs to change or reset."))
        if data.get("procedure") in CERTIFICATE_PROCEDURES and not data.get(
            "certificate_kinds"
        ):
            self.add_error(
                "certificate_kinds", _("Tick the certificates this procedure is for.")
            )
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

    def applicant(self) -> dict[str, str]:
        """The person at the counter if not the holder (empty for the holder)."""
        if self.cleaned_data["applicant_role"] == ApplicantRole.HOLDER:
            return {
                "applicant_name": "",
                "applicant_address": "",
                "applicant_relation": "",
            }
        return {
            "applicant_name": self.cleaned_data["agent_name"].strip(),
            "applicant_address": self.cleaned_data["agent_address"].strip(),
            "applicant_relation": self.cleaned_data["agent_relationship"].strip(),
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
