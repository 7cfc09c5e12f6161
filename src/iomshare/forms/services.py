"""Business actions on standard forms: publishing a definition, recording an item on a form."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.db import transaction
from django.db.models import Max

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.forms.answers import AnswerValidator
from iomshare.forms.definitions import DefinitionProblem, check_definition
from iomshare.forms.models import FormDefinition
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import Person
from iomshare.records import services as records
from iomshare.records.models import Category, InformationItem, Sensitivity
from iomshare.vocabulary.models import Concept

ROLES_THAT_PUBLISH_FORMS = {Role.ADMIN, Role.PARTNERSHIP_MANAGER}
SENSITIVITIES = {"OFFICIAL": Sensitivity.OFFICIAL, "OFFICIAL-SENSITIVE": Sensitivity.OFFICIAL_SENSITIVE}


class InvalidDefinition(InvalidInput):
    """A form definition that cannot be published; `problems` lists each with its path."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        field_errors: dict[str, str] = {}
        for problem in problems:
            field_errors.setdefault(problem.path or "definition", problem.message)
        super().__init__(
            f"The form definition was not published: it has {len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}.",
            field_errors=field_errors,
        )
        self.problems = problems


def version_problems(document: dict[str, Any]) -> list[DefinitionProblem]:
    """Published versions never change: a new definition must be a new, higher version."""
    latest = FormDefinition.objects.filter(code=document["code"]).aggregate(v=Max("version"))["v"]
    if latest is not None and document["version"] <= latest:
        return [
            DefinitionProblem(
                "version",
                f"version {latest} of '{document['code']}' is already published and published versions never "
                f"change: number this one {latest + 1}",
            )
        ]
    return []


@transaction.atomic
def publish_form(document: Any, *, by: StaffMember) -> FormDefinition:
    """Publish a new form, or a new version of one, from its definition; no code needed."""
    if by.role not in ROLES_THAT_PUBLISH_FORMS:
        raise NotPermitted("Only a partnership manager or an administrator can publish standard forms.")
    problems = check_definition(document)
    if not problems:
        problems = version_problems(document)
    if problems:
        raise InvalidDefinition(problems)
    return FormDefinition.objects.create(
        code=document["code"],
        version=document["version"],
        title=document["title"],
        description=document.get("description", ""),
        category=Category.objects.get(code=document["category"]),
        is_assessment=document.get("is_assessment", False),
        definition=document,
        published_by=by,
    )


class SummaryWriter:
    """Writes items' one-line summaries from a form's summary template; built once per form."""

    def __init__(self, form: FormDefinition) -> None:
        self.template = form.definition.get("summary") or form.title
        self.fields = {field["name"]: field for field in form.fields}
        self.names = [name for _, name, _, _ in string.Formatter().parse(self.template) if name is not None]
        schemes = {field["scheme"] for field in self.fields.values() if "scheme" in field}
        self.terms = {
            (concept.scheme.code, concept.code): concept.preferred_term
            for concept in Concept.objects.filter(scheme__code__in=schemes).select_related("scheme")
        }
        # A summary made only of single-choice answers takes few values: an import writes each once.
        self.is_memoised = all(
            self.fields.get(name, {}).get("widget") in {"radios", "select"} for name in self.names
        )
        self._memo: dict[tuple, str] = {}

    def __call__(self, answers: dict[str, Any]) -> str:
        if self.is_memoised:
            key = tuple(map(answers.get, self.names))  # not a generator: this runs per imported row
            summary = self._memo.get(key)
            if summary is None:
                summary = self._memo[key] = self._write(answers)
            return summary
        return self._write(answers)

    def _write(self, answers: dict[str, Any]) -> str:
        values: dict[str, str] = {}
        for name in self.names:
            answer, scheme = answers.get(name), self.fields.get(name, {}).get("scheme")
            if answer is None or answer == []:
                values[name] = "not given"
            elif scheme:
                codes = answer if isinstance(answer, list) else [answer]
                values[name] = ", ".join(self.terms.get((scheme, code), str(code)) for code in codes)
            else:
                values[name] = str(answer)
        summary = " ".join(self.template.format(**values).split())
        return summary if len(summary) <= 300 else summary[:299] + "…"


def summary_of(form: FormDefinition, answers: dict[str, Any]) -> str:
    """The item's one-line summary: the form's summary template filled with the answers' terms."""
    return SummaryWriter(form)(answers)


def payload_of(form: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """How an item carries its form: which form, which version, and the answers."""
    return {"form": form.code, "version": form.version, "answers": answers}


@transaction.atomic
def record_form(
    *, by: StaffMember, person: Person, form: FormDefinition, answers: dict[str, Any]
) -> InformationItem:
    """Record an item about `person` on a standard form, held by `by`'s agency, after validating it."""
    errors = AnswerValidator(form).errors(answers)
    if errors:
        raise InvalidInput(
            f"The {form.title.lower()} was not recorded: correct the problems listed.", field_errors=errors
        )
    applies_from_field = form.definition.get("applies_from")
    applies_from = (
        dt.date.fromisoformat(answers[applies_from_field]) if answers.get(applies_from_field) else None
    )
    try:
        return records.record_item(
            by=by,
            person=person,
            category=form.category,
            sensitivity=SENSITIVITIES[form.definition.get("sensitivity", "OFFICIAL")],
            summary=summary_of(form, answers),
            valid_from=applies_from,
            payload=payload_of(form, answers),
        )
    except InvalidInput as error:
        if applies_from_field and "valid_from" in error.field_errors:
            error.field_errors[applies_from_field] = error.field_errors.pop("valid_from")
        raise
