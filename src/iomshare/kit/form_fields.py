"""Form fields the apps' forms share: what a browser sends, read as the pages always read it.

Every field here is optional: the forms only parse, and the services say what is missing or wrong,
so a rule is never checked in a form and forgotten by the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile


class PageForm(forms.Form):
    """A form whose fields' ids are their names (auto_id="%s"), so the error summary links to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class TextField(forms.CharField):
    """Text as typed (not stripped), cut at `clip` characters if given: the service trims and judges it."""

    def __init__(self, *, clip: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        self.clip = clip
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value))
        return text[: self.clip] if self.clip is not None else text


class CodeField(TextField):
    """A code, choice or short answer: stripped of surrounding spaces, then cut at `clip` if given."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)


class ValuesField(forms.Field):
    """Every value sent under one name (ticked checkboxes), as strings, unchecked: the service decides
    which are allowed, so a value that is not offered reaches the rule that explains why. At most
    `limit` values are kept, each cut at `clip` characters, when given."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, limit: int | None = None, clip: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        self.limit, self.clip = limit, clip
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        return [v[: self.clip] if self.clip is not None else v for v in values[: self.limit]]


class FileAsSentField(forms.FileField):
    """The uploaded file as sent, even empty: the import's own check says what is wrong with it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> UploadedFile | None:
        return data or None


def choice(*values: str) -> forms.ChoiceField:
    """Which of a page's forms was sent (a hidden field): anything else leaves the form invalid."""
    return forms.ChoiceField(choices=[(value, value) for value in values])
