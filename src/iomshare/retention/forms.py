"""Forms for retention pages that take new decisions (the older pages parse their POST by hand)."""

from __future__ import annotations

from typing import cast

from django import forms

from iomshare.retention.services import MAX_TEXT


class AccuracyDecisionForm(forms.Form):
    """One decision, with one reason, for the items chosen on the accuracy checks queue."""

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

    def __init__(self, *args, decisions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["decision"]).choices = decisions
