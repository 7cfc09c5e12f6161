"""Forms for the retention pages: they parse what was typed and chosen; every rule is the services'
(retention.services, bulk, accuracy), which raise their own errors with their own messages.

Forms are made with auto_id="%s" so the error summary links to each field by its name.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from iomshare.retention.accuracy import AccuracyDecision
from iomshare.retention.services import MAX_TEXT
from iomshare.web.govuk_date_field import GovukDateInputField


class RetentionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


def _text() -> forms.CharField:
    """Free text as typed: whether it may be empty, and how long it may be, is the service's to say."""
    return forms.CharField(required=False)


def _chosen() -> forms.Field:
    """The rows ticked on a queue (a list of ids): which exist and may be decided is the service's."""
    return forms.Field(required=False, widget=forms.MultipleHiddenInput)


class RetainForm(RetentionForm):
    """Keep an item: why, and when to look at it again."""

    reason = _text()
    retain_until = GovukDateInputField(label="the date to review the information again")


class RetainManyForm(RetainForm):
    """Keep the reviews ticked on the queue, with one reason and one date."""

    reviews = _chosen()


class DisposeForm(RetentionForm):
    dispose_reason = _text()


class PlaceHoldForm(RetentionForm):
    """Why the information must be kept, on a person or an item (whichever the page was opened for);
    `back` is the review to return to, if the hold was placed from one."""

    reason = _text()
    person = forms.CharField(required=False)
    item = forms.CharField(required=False)
    back = forms.CharField(required=False)


class LiftHoldForm(RetentionForm):
    lift_reason = _text()


class RestrictForm(RetentionForm):
    reason = _text()


class LiftRestrictionForm(RetentionForm):
    lift_reason = _text()


class ScheduleForm(RetentionForm):
    """An agency's own schedule for a category, as typed (services.schedule_problems checks it)."""

    period = _text()
    unit = _text()
    trigger = _text()
    action = _text()
    reasoning = _text()


class AccuracyDecisionForm(RetentionForm):
    """One decision, with one reason, for the items chosen on the accuracy checks queue; "accurate"
    also needs the date to check them again."""

    selected = _chosen()
    decision = forms.ChoiceField(
        error_messages={
            "required": "Choose what you found when you checked the selected items",
            "invalid_choice": "Choose one of the decisions offered",
        }
    )
    reason = forms.CharField(
        max_length=MAX_TEXT,
        error_messages={
            "required": "Enter how you checked the information, or what is disputed",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    review_by = GovukDateInputField(label="the date to check the information again")

    def __init__(self, *args: Any, decisions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["decision"]).choices = decisions

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.cleaned_data.get("decision") != AccuracyDecision.ACCURATE:
            # Only a finding of "accurate" sets a date to check again; any other ignores the boxes.
            self.errors.pop("review_by", None)
            self.cleaned_data["review_by"] = None
        return cleaned
