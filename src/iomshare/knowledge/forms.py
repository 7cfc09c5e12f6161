"""The knowledge pages' forms: they parse what was typed; the rules are the services' (knowledge.services).

Fields render through web/govuk_field.html; forms are made with auto_id="%s" so the error summary
links to each field by its name.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from iomshare.knowledge.models import LearnedFrom
from iomshare.vocabulary.models import Concept


def concept_choices(scheme: str) -> list[tuple[str, str]]:
    return list(
        Concept.objects.filter(scheme__code=scheme)
        .order_by("position", "preferred_term")
        .values_list("code", "preferred_term")
    )


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    """A choice field of `form` whose choices are read when the form is made (the vocabulary's)."""
    return cast(forms.ChoiceField, form.fields[name])


class ProfileForm(forms.Form):
    services = forms.CharField(
        label="Services offered",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What your agency does, in words a partner from another agency understands.",
    )
    eligibility = forms.CharField(
        label="Eligibility",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who your services are for, and who they are not for.",
    )
    offer_to_cohort = forms.CharField(
        label="What you can offer the cohort",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    values = forms.CharField(
        label="Values and ways of working",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_mailbox = forms.CharField(
        label="Team mailbox",
        required=False,
        help_text="A team or role mailbox, not a person's own address.",
    )
    contact_phone = forms.CharField(label="Team phone number", required=False)
    contact_hours = forms.CharField(label="When you can be reached (optional)", required=False)


class SkillForm(forms.Form):
    topic = forms.CharField(
        label="What you can be asked about",
        required=False,
        help_text="For example, accommodation for people convicted of sexual offences, or Welsh language.",
    )
    detail = forms.CharField(label="More detail (optional)", required=False)


class PracticeNoteForm(forms.Form):
    title = forms.CharField(label="Title", required=False, help_text="What the lesson is about, in a line.")
    lesson = forms.CharField(
        label="The lesson",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What worked or did not, and why, in 1,500 characters or fewer. Do not name anyone or "
        "give an identifier: describe the person instead.",
    )
    pathway = forms.ChoiceField(label="Pathway", required=False, widget=forms.RadioSelect)
    offence_group = forms.ChoiceField(label="Offence type (optional)", required=False)
    learned_from = forms.ChoiceField(
        label="Learned from", required=False, choices=LearnedFrom.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "pathway").choices = concept_choices("pathway")
        _choice(self, "offence_group").choices = [
            ("", "None in particular"),
            *concept_choices("offence_group"),
        ]

    def answers(self) -> dict[str, str]:
        """Each field as sent, unchecked: the service checks every rule and names the field at fault."""
        return {name: str(self.data.get(name, "")) for name in self.fields}


class NoteSearchForm(forms.Form):
    words = forms.CharField(label="Words", required=False)
    pathway = forms.ChoiceField(label="Pathway", required=False)
    offence_group = forms.ChoiceField(label="Offence type", required=False)
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(self, *args, agencies=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "pathway").choices = [("", "Any pathway"), *concept_choices("pathway")]
        _choice(self, "offence_group").choices = [("", "Any offence type"), *concept_choices("offence_group")]
        _choice(self, "agency").choices = [("", "Any agency"), *((a.code, a.name) for a in agencies)]


class SkillSearchForm(forms.Form):
    topic = forms.CharField(label="Topic", required=False)
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(self, *args, agencies=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agency").choices = [("", "Any agency"), *((a.code, a.name) for a in agencies)]


class MeetingLinkForm(forms.Form):
    """Which of the viewer's meetings brought the note up: only meetings they chaired, arranged or attended."""

    meeting: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Meeting", queryset=None, empty_label=None
    )

    def __init__(self, *args, meetings=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = meetings
