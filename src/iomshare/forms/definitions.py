"""Checking a form definition before it is published: every problem, each with its path.

A partnership administrator uploads a definition as a JSON file, with no code; this says precisely
what is wrong with it ("layout[0].fields[2].scheme: there is no vocabulary scheme 'risk'").
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from iomshare.records.models import Category
from iomshare.vocabulary.models import Scheme

DEFINITION_SCHEMA_PATH = Path(__file__).with_name("definition.schema.json")
STARTER_DEFINITIONS_DIR = Path(__file__).with_name("starter_forms")
CODED_WIDGETS = {"radios", "checkboxes", "select"}


@dataclass(frozen=True)
class DefinitionProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@cache
def definition_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(DEFINITION_SCHEMA_PATH.read_text()))


def format_path(parts) -> str:
    """['layout', 0, 'fields', 2] -> 'layout[0].fields[2]'."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_type(prop: dict[str, Any]) -> set[str]:
    kind = prop.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def _widget_problem(widget: str, prop: dict[str, Any]) -> str | None:
    """Why `widget` cannot ask for an answer of schema `prop`, or None when it can."""
    kinds = _schema_type(prop)
    if widget in {"text", "textarea"} and (kinds != {"string"} or prop.get("format") == "date"):
        return f"a {widget} field needs a schema property of type string (not a date)"
    if widget == "date" and (kinds != {"string"} or prop.get("format") != "date"):
        return 'a date field needs a schema property {"type": "string", "format": "date"}'
    if widget == "number" and (not kinds or not kinds <= {"number", "integer"}):
        return "a number field needs a schema property of type number or integer"
    if widget in {"radios", "select"} and kinds != {"string"}:
        return f"a {widget} field needs a schema property of type string (a concept code)"
    if widget == "checkboxes" and (kinds != {"array"} or _schema_type(prop.get("items", {})) != {"string"}):
        return 'a checkboxes field needs a schema property {"type": "array", "items": {"type": "string"}}'
    return None


def check_definition(document: Any) -> list[DefinitionProblem]:  # noqa: C901 (one check per rule of a form definition, each reported)
    """Every problem with a form definition document; an empty list means it can be published."""
    problems = [
        DefinitionProblem(format_path(error.absolute_path) or "(the file)", error.message)
        for error in sorted(
            definition_validator().iter_errors(document), key=lambda e: list(map(str, e.path))
        )
    ]
    if problems:
        return problems
    schema = document["schema"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return [DefinitionProblem(format_path(["schema", *error.absolute_path]), error.message)]
    if schema.get("type") != "object":
        problems.append(
            DefinitionProblem("schema.type", 'the answers must be an object: set "type": "object"')
        )
    if schema.get("additionalProperties") is not False:
        problems.append(
            DefinitionProblem(
                "schema.additionalProperties",
                "set it to false, so answers to questions the form does not ask are refused",
            )
        )
    properties: dict[str, Any] = schema.get("properties", {})
    schemes = set(Scheme.objects.values_list("code", flat=True))
    seen: dict[str, str] = {}
    for s, section in enumerate(document["layout"]):
        for f, field in enumerate(section["fields"]):
            where = f"layout[{s}].fields[{f}]"
            name, widget = field["name"], field["widget"]
            if name in seen:
                problems.append(
                    DefinitionProblem(f"{where}.name", f"'{name}' is already asked at {seen[name]}")
                )
                continue
            seen[name] = where
            if name not in properties:
                problems.append(
                    DefinitionProblem(f"{where}.name", f"'{name}' is not a property of the schema")
                )
                continue
            if reason := _widget_problem(widget, properties[name]):
                problems.append(DefinitionProblem(f"{where}.widget", reason))
            if widget in CODED_WIDGETS and "scheme" not in field:
                problems.append(
                    DefinitionProblem(
                        f"{where}.scheme",
                        f"a {widget} field takes its options from a vocabulary scheme: name one",
                    )
                )
            elif "scheme" in field and field["scheme"] not in schemes:
                problems.append(
                    DefinitionProblem(f"{where}.scheme", f"there is no vocabulary scheme '{field['scheme']}'")
                )
            elif "scheme" in field and widget not in CODED_WIDGETS:
                problems.append(
                    DefinitionProblem(f"{where}.scheme", f"a {widget} field has no options, so no scheme")
                )
    for name in properties:
        if name not in seen:
            problems.append(
                DefinitionProblem(f"schema.properties.{name}", "no field of the layout asks for it")
            )
    for r, name in enumerate(schema.get("required", [])):
        if name not in properties:
            problems.append(
                DefinitionProblem(f"schema.required[{r}]", f"'{name}' is not a property of the schema")
            )
    if not Category.objects.filter(code=document["category"]).exists():
        problems.append(
            DefinitionProblem("category", f"there is no information category '{document['category']}'")
        )
    if "summary" in document:
        try:
            placeholders = {
                name for _, name, _, _ in string.Formatter().parse(document["summary"]) if name is not None
            }
        except ValueError as error:
            problems.append(DefinitionProblem("summary", f"not a valid template: {error}"))
        else:
            for name in sorted(placeholders - set(properties)):
                problems.append(DefinitionProblem("summary", f"{{{name}}} is not a field of the form"))
    if "applies_from" in document:
        field = next(
            (f for f in (_fields(document) if seen else []) if f["name"] == document["applies_from"]), None
        )
        if field is None or field["widget"] != "date":
            problems.append(
                DefinitionProblem(
                    "applies_from", f"'{document['applies_from']}' is not a date field of the form"
                )
            )
    return problems


def _fields(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [field for section in document["layout"] for field in section["fields"]]


def starter_definitions() -> list[dict[str, Any]]:
    """The starter forms shipped with iomshare, read from forms/starter_forms/*.json."""
    return [json.loads(path.read_text()) for path in sorted(STARTER_DEFINITIONS_DIR.glob("*.json"))]


def load_starter_forms(get_model) -> None:
    """Publish the starter forms not yet published (the data migration passes its `apps.get_model`)."""
    form_model = get_model("forms", "FormDefinition")
    category_model = get_model("records", "Category")
    for document in starter_definitions():
        form_model.objects.get_or_create(
            code=document["code"],
            version=document["version"],
            defaults={
                "title": document["title"],
                "description": document.get("description", ""),
                "category": category_model.objects.get(code=document["category"]),
                "is_assessment": document.get("is_assessment", False),
                "definition": document,
            },
        )
