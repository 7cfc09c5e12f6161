"""The machine API's standard forms: read a definition, validate answers, record an item on a form."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from iomshare.errors import NotFound
from iomshare.exchange.schemas import ItemOut
from iomshare.forms import selectors, services
from iomshare.forms.answers import AnswerValidator
from iomshare.forms.models import FormDefinition
from iomshare.kit.api import PROBLEMS, caller
from iomshare.people.api import person_or_404

router = Router(tags=["forms"])


class FormOut(Schema):
    code: str
    version: int
    title: str
    description: str
    category: str
    is_assessment: bool

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code


class FormDefinitionOut(FormOut):
    definition: dict[str, Any] = Field(description="The definition as published: JSON Schema and layout.")


class AnswersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(description="One entry per question; coded answers are concept codes.")
    version: int | None = Field(None, ge=1, description="Form version; defaults to the latest.")


class AnswerProblem(Schema):
    field: str
    message: str


class ValidationOut(Schema):
    form: str
    version: int
    is_valid: bool
    errors: list[AnswerProblem]


def _form(code: str, version: int | None) -> FormDefinition:
    form = selectors.form_version(code, version) if version else selectors.latest_version(code)
    if form is None:
        raise NotFound(f"There is no standard form {code!r}" + (f" version {version}." if version else "."))
    return form


@router.get("/forms", response={200: list[FormOut], **PROBLEMS}, url_name="forms")
def list_forms(request: HttpRequest):
    """The latest version of every standard form."""
    return list(selectors.current_forms())


@router.get("/forms/{code}", response={200: FormDefinitionOut, **PROBLEMS}, url_name="form")
def get_form(request: HttpRequest, code: str):
    """The latest version of a form, with its definition."""
    return _form(code, None)


@router.get(
    "/forms/{code}/versions/{version}", response={200: FormDefinitionOut, **PROBLEMS}, url_name="form-version"
)
def get_form_version(request: HttpRequest, code: str, version: int):
    """Any published version: items recorded on it are read with its questions."""
    return _form(code, version)


@router.post("/forms/{code}/validate", response={200: ValidationOut, **PROBLEMS}, url_name="form-validate")
def validate_answers(request: HttpRequest, code: str, body: AnswersIn):
    """Check answers without recording anything; each problem names its question."""
    form = _form(code, body.version)
    errors = AnswerValidator(form).errors(body.answers)
    return {
        "form": form.code,
        "version": form.version,
        "is_valid": not errors,
        "errors": [{"field": name, "message": message} for name, message in errors.items()],
    }


@router.post("/persons/{person_id}/forms/{code}", response={201: ItemOut, **PROBLEMS}, url_name="record-form")
def record_form(
    request: HttpRequest, response: HttpResponse, person_id: uuid.UUID, code: str, body: AnswersIn
):
    """Record an item about a person on a standard form, held by the caller's own agency."""
    form = _form(code, body.version)
    by = caller(request)
    item = services.record_form(
        by=by, person=person_or_404(person_id, by, to_record=True), form=form, answers=body.answers
    )
    response["Location"] = reverse("api-v1:item", kwargs={"item_id": item.id})
    return Status(201, item)
