"""The standard-form pages' own Django forms (a standard form's questions are read by forms.answers)."""

from __future__ import annotations

from iomshare.kit.form_fields import PageForm, TextField


class ChooseFormForm(PageForm):
    """Which standard form to fill in (its code); the page offers only the current forms."""

    form = TextField()
