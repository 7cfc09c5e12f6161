"""The renewal form: which course (or the vetting) was renewed, when, and until when."""

from __future__ import annotations

from django import forms

from iomshare.partnership.models import Course
from iomshare.partnership.training import VETTING
from iomshare.protocols.editor_forms import GovukDateWidget


class GovukDateField(forms.DateField):
    """A date from the GOV.UK date input, with messages that name the field."""

    widget = GovukDateWidget

    def __init__(self, *, label: str, **kwargs) -> None:
        super().__init__(
            label=label,
            input_formats=["%Y-%m-%d"],
            error_messages={
                "required": f"Enter the {label.lower()}",
                "invalid": f"The {label.lower()} must be a real date, like 27 3 2027",
            },
            **kwargs,
        )


class RenewalForm(forms.Form):
    subject = forms.ChoiceField(
        label="What was renewed",
        widget=forms.RadioSelect,
        choices=[*Course.choices, (VETTING, "Vetting")],
        error_messages={"required": "Choose the course or the vetting being renewed"},
    )
    completed_on = GovukDateField(
        label="Date the course was completed",
        required=False,
        help_text="For a course only. For example, 27 3 2026.",
    )
    expires_on = GovukDateField(label="New expiry date", help_text="For example, 27 3 2027.")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def parts(self, name: str) -> dict[str, str]:
        """The three boxes of a date field as typed (or as they start)."""
        widget = self.fields[name].widget
        value = self[name].value()
        return widget.parts(value)
