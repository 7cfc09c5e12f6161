"""Validating answers to a standard form, and reading them from a GOV.UK form post.

The schema's coded fields take their allowed values from the vocabulary when validated, so a
concept added to a scheme is offered at once and an unknown code is refused (invariant 7).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.http import QueryDict
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from iomshare.forms.fastcheck import ANNOTATIONS, compile_answers_check
from iomshare.forms.models import FormDefinition
from iomshare.vocabulary.models import Concept
from iomshare.web.govuk_dates import DateInputError, parse_date_input


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def required_message(field: dict[str, Any]) -> str:
    if "required_message" in field:
        return field["required_message"]
    label = _lower_first(field["label"].rstrip("?"))
    if field["widget"] in {"radios", "select"}:
        return f"Select {label}"
    if field["widget"] == "checkboxes":
        return f"Select at least one option for {label}"
    return f"Enter {label}"


def scheme_codes(form: FormDefinition) -> dict[str, list[str]]:
    """For each coded field, the codes of its vocabulary scheme in their order."""
    schemes = {field["scheme"] for field in form.fields if "scheme" in field}
    codes: dict[str, list[str]] = {scheme: [] for scheme in schemes}
    for scheme_code, code in (
        Concept.objects.filter(scheme__code__in=schemes)
        .order_by("position")
        .values_list("scheme__code", "code")
    ):
        codes[scheme_code].append(code)
    return codes


class AnswerValidator:
    """Validates answers to one form version; build once, use for many (an import uses it per row)."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.fields = {field["name"]: field for field in form.fields}
        schema = copy.deepcopy(form.schema)
        codes = scheme_codes(form)
        for name, field in self.fields.items():
            if "scheme" not in field:
                continue
            prop = schema["properties"][name]
            target = prop.setdefault("items", {}) if field["widget"] == "checkboxes" else prop
            target["enum"] = codes[field["scheme"]]
        self.validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        self.is_surely_valid = compile_answers_check(schema) or self.validator.is_valid

    def quick_check_for_converted(
        self, *, coded: Iterable[str] = (), dates: Iterable[str] = ()
    ) -> Callable[[dict[str, Any]], bool]:
        """A quicker yes/no for answers an import built: only the form's own questions are answered,
        each of `coded` holds a code of its field's scheme (translated through the vocabulary) and
        each of `dates` a real date written YYYY-MM-DD.

        The checks those guarantees make redundant are left out (on a million rows they are a third
        of the checking); a no still goes to `errors`, which decides and explains.
        """
        guaranteed: dict[str, set[str]] = {
            **{name: {"type"} for name in coded if self.fields[name]["widget"] in {"radios", "select"}},
            **{name: {"type", "format"} for name in dates if self.fields[name]["widget"] == "date"},
        }
        properties = {}
        for name, prop in self.form.schema.get("properties", {}).items():
            asks = set(prop) - ANNOTATIONS if isinstance(prop, dict) else {"anything"}
            if (
                name in guaranteed
                and asks <= guaranteed[name]
                and prop.get("type", "string") == "string"
                and prop.get("format", "date") == "date"
            ):
                continue
            properties[name] = self.validator.schema["properties"][name]
        residual = {
            "type": "object",
            "properties": properties,
            "required": self.form.schema.get("required", []),
            "additionalProperties": True,  # the import only answers the form's own questions
        }
        return compile_answers_check(residual) or self.is_surely_valid

    def errors(self, answers: dict[str, Any]) -> dict[str, str]:
        """{field name: message}, one message per field in form order; empty when the answers are valid."""
        if self.is_surely_valid(answers):
            return {}
        found: dict[str, str] = {}
        for error in self.validator.iter_errors(answers):
            for name, message in self._describe(error, answers):
                found.setdefault(name, message)
        order = list(self.fields)
        return dict(
            sorted(found.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        )

    def _describe(self, error: ValidationError, answers: dict[str, Any]):  # noqa: C901 (one branch per kind of answer a form question can hold)
        if not error.path:
            if error.validator == "required":
                for name in error.validator_value:
                    if name not in answers:
                        yield name, required_message(self.fields.get(name, {"label": name, "widget": "text"}))
            elif error.validator == "additionalProperties":
                for name in sorted(set(answers) - set(self.fields)):
                    yield name, f"‘{name}’ is not a question on {self.form.title} version {self.form.version}"
            elif error.validator == "type":
                yield "answers", "The answers must be an object with one entry per question"
            else:
                yield "answers", error.message
            return
        name = str(error.path[0])
        field = self.fields.get(name, {"label": name, "widget": "text"})
        label = field["label"].rstrip("?")
        rule, limit = error.validator, error.validator_value
        if rule == "enum":
            yield (
                name,
                f"Select one of the options for {_lower_first(label)}: ‘{error.instance}’ is not one of them",
            )
        elif rule == "format" and limit == "date":
            yield name, f"{label} must be a real date, written as YYYY-MM-DD"
        elif rule == "maxLength":
            yield name, f"{label} must be {limit:,} characters or fewer"
        elif rule == "minLength":
            yield name, required_message(field)
        elif rule == "minimum":
            yield name, f"{label} must be {limit} or more"
        elif rule == "maximum":
            yield name, f"{label} must be {limit} or less"
        elif rule == "minItems":
            yield name, required_message(field)
        elif rule == "type" and limit in ("number", "integer"):
            yield name, f"{label} must be a {'whole ' if limit == 'integer' else ''}number"
        elif rule == "uniqueItems":
            yield name, f"{label}: each option can be chosen only once"
        else:
            yield name, f"{label}: {error.message}"


def read_post(form: FormDefinition, data: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers from a GOV.UK form post, and the errors found reading them (such as an impossible date).

    An empty box is no answer, so the schema's `required` decides whether that is allowed.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        name, widget = field["name"], field["widget"]
        if widget == "date":
            try:
                day = parse_date_input(data, name, _lower_first(field["label"].rstrip("?")), required=False)
            except DateInputError as error:
                errors[name] = str(error)
            else:
                if day is not None:
                    answers[name] = day.isoformat()
        elif widget == "checkboxes":
            chosen = [value for value in data.getlist(name) if value]
            if chosen:
                answers[name] = chosen
        else:
            value = data.get(name, "").strip()
            if not value:
                continue
            if widget == "number":
                answers[name] = _number(value)
            else:
                answers[name] = value
    return answers, errors


def _number(text: str) -> Any:
    """The number typed, or the text itself so validation reports that it is not a number."""
    cleaned = text.replace(",", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        return text
    return number if math.isfinite(number) else text
