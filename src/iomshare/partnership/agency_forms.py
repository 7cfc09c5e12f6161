"""The agency form: parses what an administrator chose and typed; every rule is partnership.agencies'."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from iomshare.partnership.models import Agency, AgencyKind, AssuranceLevel, DeclaredIdentifierScheme
from iomshare.protocols.editor_forms import GovukDateWidget

YES_NO = [("yes", "Yes"), ("no", "No")]


class AgencyForm(forms.Form):
    """Every field optional here: an empty answer reaches the service, which says what to enter."""

    code = forms.CharField(
        label="Code",
        required=False,
        max_length=40,
        help_text="A short name systems use in extracts and the API, for example northshire-mind. It cannot be changed later.",
    )
    name = forms.CharField(label="Name", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind of agency", required=False, choices=AgencyKind.choices, widget=forms.RadioSelect
    )
    is_statutory = forms.ChoiceField(
        label="Is it a statutory partner?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Police, probation, prisons, councils and health services are; voluntary organisations are not.",
    )
    assurance_level = forms.ChoiceField(
        label="Security assurance",
        required=False,
        choices=[(str(value), label) for value, label in AssuranceLevel.choices],
        widget=forms.RadioSelect,
        help_text="What the agency has shown. Protocols set the least each clause needs.",
    )
    assurance_expires_on = forms.CharField(
        label="Assurance expires on",
        required=False,
        widget=GovukDateWidget,
        help_text="Leave empty when there is no assurance. For example, 31 3 2027.",
    )
    identifier_schemes = forms.MultipleChoiceField(
        label="Identifier schemes it holds",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Its own numbers for people, which linkage compares exactly.",
    )

    def __init__(self, *args, agency: Agency | None = None, **kwargs) -> None:
        if agency is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": agency.name,
                "kind": agency.kind,
                "is_statutory": "yes" if agency.is_statutory else "no",
                "assurance_level": str(agency.assurance_level),
                "assurance_expires_on": agency.assurance_expires_on,
                "identifier_schemes": list(agency.identifier_schemes.values_list("code", flat=True)),
            }
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.schemes = {scheme.code: scheme for scheme in DeclaredIdentifierScheme.objects.order_by("name")}
        cast(forms.MultipleChoiceField, self.fields["identifier_schemes"]).choices = [
            (code, s.name) for code, s in self.schemes.items()
        ]
        if agency is not None:
            del self.fields["code"]

    def clean_assurance_expires_on(self) -> dt.date | None:
        value = self.cleaned_data.get("assurance_expires_on") or ""
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                "The assurance expiry must be a real date, for example 31 3 2027"
            ) from None

    def answers(self) -> dict[str, Any]:
        """The service's arguments from the cleaned answers."""
        data = self.cleaned_data
        level = data.get("assurance_level", "")
        answers = {
            "name": data.get("name", ""),
            "kind": data.get("kind", ""),
            "is_statutory": {"yes": True, "no": False}.get(data.get("is_statutory", "")),
            "assurance_level": int(level) if level.isdigit() else None,
            "assurance_expires_on": data.get("assurance_expires_on"),
            "identifier_schemes": [self.schemes[code] for code in data.get("identifier_schemes", [])],
        }
        if "code" in self.fields:
            answers["code"] = data.get("code", "")
        return answers

    def date_parts(self) -> dict[str, str]:
        return self.fields["assurance_expires_on"].widget.parts(self["assurance_expires_on"].value())
