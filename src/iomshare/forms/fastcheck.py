"""A fast yes/no check of answers for the JSON Schema keywords standard forms use.

jsonschema takes ~80 µs to validate one contact record; an import of a million rows cannot spend
that on every row. This compiles the common subset of draft 2020-12 into plain Python closures that
answer "valid" in a few microseconds. A yes is final; a no (or a schema using a keyword it does not
know) hands over to jsonschema, which decides and explains, so the two never disagree about what is
accepted (a property test checks that every yes is jsonschema's yes too).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

ANNOTATIONS = {
    "title",
    "description",
    "default",
    "examples",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class Unsupported(Exception):
    """The schema uses something this compiler does not handle: use jsonschema instead."""


def _is_type(kind: str) -> Check:
    if kind == "string":
        return lambda v: isinstance(v, str)
    if kind == "integer":
        return lambda v: (
            (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
        )
    if kind == "number":
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if kind == "boolean":
        return lambda v: isinstance(v, bool)
    if kind == "array":
        return lambda v: isinstance(v, list)
    if kind == "object":
        return lambda v: isinstance(v, dict)
    if kind == "null":
        return lambda v: v is None
    raise Unsupported(f"type {kind}")


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


STRING_KEYWORDS = {"type", "enum", "maxLength", "minLength", "format", "pattern"}


def _compile_string(schema: dict[str, Any]) -> Check:
    """One closure for a string property (most answers): a call per answer, not one per keyword."""
    enum = schema.get("enum")
    if enum is not None and not all(isinstance(option, str) for option in enum):
        raise Unsupported("enum of non-strings")
    options = frozenset(enum) if enum is not None else None
    longest, shortest = schema.get("maxLength"), schema.get("minLength", 0)
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    if schema.get("format", "date") != "date":
        raise Unsupported(f"format {schema['format']}")
    is_date = "format" in schema

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if options is not None and value not in options:
            return False
        if (longest is not None and len(value) > longest) or len(value) < shortest:
            return False
        if is_date and not _is_date(value):
            return False
        return pattern is None or pattern.search(value) is not None

    return check


# One check per keyword, each closing over its keyword's value.
def _any_of(type_checks: tuple[Check, ...]) -> Check:
    return lambda v: any(check(v) for check in type_checks)


def _one_of(options: frozenset[str]) -> Check:
    return lambda v: isinstance(v, str) and v in options


def _at_most_characters(n: int) -> Check:
    return lambda v: not isinstance(v, str) or len(v) <= n


def _at_least_characters(n: int) -> Check:
    return lambda v: not isinstance(v, str) or len(v) >= n


def _matching(pattern: re.Pattern[str]) -> Check:
    return lambda v: not isinstance(v, str) or pattern.search(v) is not None


def _compared(compare: Callable[[Any, Any], bool], limit: float) -> Check:
    return lambda v: not _is_number(v) or compare(v, limit)


def _each_item(item_check: Check) -> Check:
    return lambda v: not isinstance(v, list) or all(item_check(x) for x in v)


def _at_least_items(n: int) -> Check:
    return lambda v: not isinstance(v, list) or len(v) >= n


def _at_most_items(n: int) -> Check:
    return lambda v: not isinstance(v, list) or len(v) <= n


def _compile_value(schema: Any) -> Check:  # noqa: C901 (one branch per JSON Schema keyword it compiles)
    """A check for one property's schema (strings, numbers, dates, arrays of strings)."""
    if not isinstance(schema, dict):
        raise Unsupported("boolean schema")
    if schema.get("type") == "string" and set(schema) - ANNOTATIONS <= STRING_KEYWORDS:
        return _compile_string(schema)
    checks: list[Check] = []
    for keyword, limit in schema.items():
        if keyword in ANNOTATIONS:
            continue
        if keyword == "type":
            kinds = [limit] if isinstance(limit, str) else list(limit)
            if len(kinds) == 1:
                checks.append(_is_type(kinds[0]))
            else:
                type_checks = tuple(_is_type(kind) for kind in kinds)
                checks.append(_any_of(type_checks))
        elif keyword == "enum":
            if not all(isinstance(option, str) for option in limit):
                raise Unsupported("enum of non-strings")
            options = frozenset(limit)
            checks.append(_one_of(options))
        elif keyword == "maxLength":
            checks.append(_at_most_characters(limit))
        elif keyword == "minLength":
            checks.append(_at_least_characters(limit))
        elif keyword == "pattern":
            compiled = re.compile(limit)
            checks.append(_matching(compiled))
        elif keyword == "format":
            if limit != "date":
                raise Unsupported(f"format {limit}")
            checks.append(_is_date)
        elif keyword in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
            if not _is_number(limit) or not math.isfinite(limit):
                raise Unsupported(f"{keyword} {limit!r}")
            compare = {
                "minimum": lambda v, n: v >= n,
                "maximum": lambda v, n: v <= n,
                "exclusiveMinimum": lambda v, n: v > n,
                "exclusiveMaximum": lambda v, n: v < n,
            }[keyword]
            checks.append(_compared(compare, limit))
        elif keyword == "items":
            item_check = _compile_value(limit)
            checks.append(_each_item(item_check))
        elif keyword == "minItems":
            checks.append(_at_least_items(limit))
        elif keyword == "maxItems":
            checks.append(_at_most_items(limit))
        elif keyword == "uniqueItems":
            if limit:
                checks.append(lambda v: not isinstance(v, list) or _unique_strings(v))
        else:
            raise Unsupported(keyword)
    return _all_of(tuple(checks))


def _all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        # A plain loop: all() over a generator costs a microsecond a call, and this runs per cell.
        for one in checks:  # noqa: SIM110
            if not one(value):
                return False
        return True

    return check


def _unique_strings(values: list) -> bool:
    """Distinct strings; False for anything else, so jsonschema's own equality decides."""
    return all(isinstance(x, str) for x in values) and len(set(values)) == len(values)


def compile_answers_check(schema: dict[str, Any]) -> Check | None:
    """A fast check of an answers object against `schema`, or None if the schema is beyond it."""
    try:
        if schema.get("type") != "object":
            raise Unsupported("not an object")
        known = {"type", "properties", "required", "additionalProperties", "$schema", "$id"} | ANNOTATIONS
        if set(schema) - known:
            raise Unsupported(", ".join(sorted(set(schema) - known)))
        additional = schema.get("additionalProperties", True)
        if additional not in (True, False):
            raise Unsupported("additionalProperties schema")
        properties = {name: _compile_value(prop) for name, prop in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
    except Unsupported:
        return None

    # Set operations on the answers' keys run in C: this check runs once per row of an import.
    required_names = frozenset(required)
    known_names = frozenset(properties)
    property_checks = tuple(properties.items())
    missing = object()

    def check(answers: Any) -> bool:
        if not isinstance(answers, dict):
            return False
        keys = answers.keys()
        if not required_names <= keys or (additional is False and not keys <= known_names):
            return False
        for name, property_check in property_checks:
            value = answers.get(name, missing)
            if value is not missing and not property_check(value):
                return False
        return True

    return check
