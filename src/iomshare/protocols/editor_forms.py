"""The protocol editor's forms: each turns what a person ticked and typed into one part of the
protocol's YAML document. They only parse; every rule is yaml_format.validate's, run on the whole
document by editing.edit_draft, so a rule cannot be checked here and forgotten in the import.

Every field is optional here for that reason: an empty answer reaches the validator, which says
what to enter. Fields render through web/govuk_field.html (GOV.UK markup for any Django field).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from iomshare.partnership.models import Agency, AssuranceLevel, Course, Role
from iomshare.protocols import yaml_format
from iomshare.protocols.models import LegalGateway, Purpose
from iomshare.records.models import Category

YES_NO = [("yes", "Yes"), ("no", "No")]


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    """A choice field of `form` whose choices are read when the form is made."""
    return cast(forms.ChoiceField, form.fields[name])


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input), read back as an ISO date string."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()])

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name) -> Any:
        parts = [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
        if not any(parts):
            return None
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
        except ValueError:
            return "-".join(parts)  # not a date: the field says so

    def parts(self, value: Any) -> dict[str, str]:
        """The three boxes' contents for the template, from a date, an ISO string or bad input."""
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                day, _, rest = value.partition("-")
                month, _, year = rest.partition("-")
                return {"day": day, "month": month, "year": year}
        day, month, year = self.decompress(value)
        return {"day": day or "", "month": month or "", "year": year or ""}


def _checkboxes(label: str, help_text: str, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, help_text=help_text, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _radios(label: str, help_text: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, help_text=help_text, choices=choices, required=False, widget=forms.RadioSelect
    )


class DetailsForm(forms.Form):
    """The protocol as a whole: what it is called, who is party to it, for which purposes and law."""

    title = forms.CharField(label="Title", required=False, help_text="What the parties call this protocol.")
    summary = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea,
        help_text="In plain words: why the parties share, and what. Practitioners read this first.",
    )
    parties = _checkboxes("Parties", "Every agency that shares or receives under this protocol.", [])
    owner = _radios("Owner", "The party that keeps the protocol up to date and can end it.", [])
    purposes = _checkboxes(
        "Purposes", "What recipients may use the information for: they declare one before seeing it.", []
    )
    legal_gateways = _checkboxes("Legal gateways", "The law that allows the parties to share.", [])
    review_on = forms.CharField(
        label="Review date",
        required=False,
        widget=GovukDateWidget,
        help_text="When the parties next review the protocol. For example, 31 3 2027.",
    )
    retention_days = forms.IntegerField(
        label="How many days a recipient may keep a shared copy",
        required=False,
        help_text="From 1 to 3650. For example, 365 for a year.",
        error_messages={"invalid": "Enter the number of days as a whole number, like 365"},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        agencies = list(Agency.objects.order_by("name").values_list("code", "name"))
        _choice(self, "parties").choices = agencies
        _choice(self, "owner").choices = agencies
        _choice(self, "purposes").choices = list(Purpose.objects.values_list("code", "name"))
        _choice(self, "legal_gateways").choices = list(LegalGateway.objects.values_list("code", "title"))

    @staticmethod
    def initial_from(document: dict[str, Any]) -> dict[str, Any]:
        return {name: document.get(name) for name in DetailsForm.base_fields}

    def document_part(self) -> dict[str, Any]:
        """The top-level fields of the YAML document, as the form's answers give them."""
        data = self.cleaned_data
        part = {name: data[name] or "" for name in ("title", "summary", "owner")} | {
            name: list(data[name]) for name in ("parties", "purposes", "legal_gateways")
        }
        part["review_on"] = data["review_on"] or None
        part["retention_days"] = data["retention_days"]
        return part


class ClauseForm(forms.Form):
    """One clause: who shares what, with whom, on which conditions, with what removed."""

    shared_by = _radios("Shared by", "The party that holds the information and shares it.", [])
    categories = _checkboxes("Categories of information", "Tick every kind of information shared.", [])
    max_sensitivity = _radios(
        "Most sensitive information shared",
        "Items marked more sensitive than this are not shared under this clause.",
        [(name, name) for name in yaml_format.SENSITIVITY_NAMES],
    )
    recipients = _checkboxes(
        "Recipients", "The parties that receive. Tick none and every other party receives.", []
    )
    recipient_roles = _checkboxes(
        "Who receives at those parties",
        "Staff roles that may see it. Volunteers are chosen below, with their training.",
        [(role.value, role.label) for role in yaml_format.RECIPIENT_ROLES],
    )
    training = _checkboxes(
        "Training recipients must have in date",
        "A clause that lets volunteers receive must require training.",
        Course.choices,
    )
    volunteers_may_receive = _radios(
        "May trained volunteers receive it?", "Only volunteers with the training above in date.", YES_NO
    )
    minimum_assurance = _radios(
        "Security assurance the recipient's agency must hold",
        "The agency's assurance must be in date, at this level or higher.",
        [(name, AssuranceLevel(value).label) for name, value in yaml_format.ASSURANCE_NAMES.items()],
    )
    consent_needed = _radios(
        "Is the person's consent needed?", "If yes, nothing is shared until consent is recorded.", YES_NO
    )
    may_disclose_existence = _radios(
        "May recipients be told that more exists than they can see?",
        "If yes, they can ask the holding agency for it.",
        YES_NO,
    )
    redact = forms.CharField(
        label="Fields removed before sharing (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, as category and field, like accommodation.address.",
    )
    explanation = forms.CharField(
        label="Why this is shared (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In plain words, for the practitioners who read the protocol.",
    )

    def __init__(self, *args, parties: list[tuple[str, str]], **kwargs) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        _choice(self, "shared_by").choices = parties
        _choice(self, "recipients").choices = parties
        _choice(self, "categories").choices = list(
            Category.objects.order_by("name").values_list("code", "name")
        )

    @staticmethod
    def initial_from(clause: dict[str, Any] | None) -> dict[str, Any]:
        clause = clause or {
            "max_sensitivity": "OFFICIAL",
            "recipient_roles": [Role.PRACTITIONER.value],
            "may_disclose_existence": True,
        }
        conditions = clause.get("conditions", {})
        return {
            "shared_by": clause.get("shared_by"),
            "categories": clause.get("categories", []),
            "max_sensitivity": clause.get("max_sensitivity"),
            "recipients": clause.get("recipients", []),
            "recipient_roles": clause.get("recipient_roles", []),
            "training": conditions.get("training", []),
            "volunteers_may_receive": "yes" if conditions.get("volunteers_may_receive") else "no",
            "minimum_assurance": conditions.get("minimum_assurance", "self_assessed"),
            "consent_needed": "yes" if conditions.get("consent_needed") else "no",
            "may_disclose_existence": "yes" if clause.get("may_disclose_existence", True) else "no",
            "redact": "\n".join(clause.get("redact", [])),
            "explanation": clause.get("explanation", ""),
        }

    def document_part(self) -> dict[str, Any]:
        """The clause as the YAML document holds it."""
        data = self.cleaned_data

        def yes(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(data[name])

        clause: dict[str, Any] = {
            "shared_by": data["shared_by"] or "",
            "categories": list(data["categories"]),
            "max_sensitivity": data["max_sensitivity"] or "",
            "recipients": list(data["recipients"]),
            "recipient_roles": list(data["recipient_roles"]),
            "conditions": {
                "training": list(data["training"]),
                "volunteers_may_receive": yes("volunteers_may_receive"),
                "minimum_assurance": data["minimum_assurance"] or "",
                "consent_needed": yes("consent_needed"),
            },
            "may_disclose_existence": yes("may_disclose_existence"),
            "redact": [line.strip() for line in data["redact"].splitlines() if line.strip()],
        }
        if data["explanation"].strip():
            clause["explanation"] = data["explanation"].strip()
        return clause


class ChangesForm(forms.Form):
    comments = forms.CharField(
        label="What should change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The drafter reads this. Name the clause and say what your agency needs, and why.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
