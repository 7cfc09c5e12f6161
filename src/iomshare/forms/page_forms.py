"""The standard-form pages' own Django forms (a standard form's questions are read by forms.answers)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError

from iomshare.kit.form_fields import FileAsSentField, PageForm, TextField

MAX_DEFINITION_BYTES = 512 * 1024


class ChooseFormForm(PageForm):
    """Which standard form to fill in (its code); the page offers only the current forms."""

    form = TextField()


class PublishDefinitionForm(PageForm):
    """A standard form's definition, uploaded as a JSON file: read here into the document the
    service checks (forms.services.publish_form); only a file that is not JSON stops here."""

    definition = FileAsSentField()

    def clean_definition(self) -> Any:
        upload = self.cleaned_data["definition"]
        if upload is None:
            raise ValidationError("Choose a form definition file to upload")
        if (upload.size or 0) > MAX_DEFINITION_BYTES:
            raise ValidationError("The file must be smaller than 512 KB")
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError("The file must be saved as UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
            ) from None
