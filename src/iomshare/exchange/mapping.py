"""Turning one row of an agency extract into an item, or into problems (row, column, value, reason).

A profile is compiled once into a `RowMapper`: column positions, date parsers, the agency's code
translations and the person index are all prepared up front, because an extract can have a million
rows and each must cost microseconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.exchange.models import ImportProfile
from iomshare.forms.answers import AnswerValidator
from iomshare.forms.services import SummaryWriter, payload_of
from iomshare.kit.csv_safety import FORMULA_TRIGGERS
from iomshare.people.models import NORMALISERS, AgencyIdentifier, IdentifierScheme
from iomshare.records.services import item_field_problems
from iomshare.vocabulary.services import CodeTranslator

MAX_CELL_CHARACTERS = 20_000
MAX_KEY_CHARACTERS = 100
MAX_SHOWN_VALUE = 80
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = FORMULA_TRIGGERS
FORMULA_FIRST_CHARACTERS = frozenset(FORMULA_TRIGGERS)
# Converted codes and dates are remembered up to this many distinct values.
MEMO_LIMIT = 100_000
ITEM_FIELDS = {"summary", "details", "valid_from", "valid_to", "review_by"}
DATE_FIELDS = {"valid_from", "valid_to", "review_by"}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


def shown(value: Any) -> str:
    """A value as quoted in a problem: short, and never a wall of text."""
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


@dataclass
class MappedRow:
    key: str
    # The item as `records.services.BulkRecorder.record` takes it: person, category, sensitivity
    # and the item's fields, built once here rather than copied again per row before writing.
    fields: dict[str, Any]


class RowProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def date_parser(date_format: str) -> Callable[[str], dt.date]:
    """A parser for `date_format`; the common formats get a fast path (strptime costs ~10 µs)."""
    if date_format == "%Y-%m-%d":

        def iso(text: str) -> dt.date:
            if len(text) != 10 or text[4] != "-" or text[7] != "-":
                raise ValueError
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))

        return iso
    if date_format == "%d/%m/%Y":

        def british(text: str) -> dt.date:
            day, month, year = text.split("/")
            if len(year) != 4:
                raise ValueError
            return dt.date(int(year), int(month), int(day))

        return british
    return lambda text: dt.datetime.strptime(text, date_format).date()


# How a person reads each strftime directive an import profile may use.
_DIRECTIVE_NAMES = {"%d": "day", "%m": "month", "%Y": "year", "%y": "year", "%b": "month", "%B": "month"}


def describe_date_format(date_format: str) -> str:
    """'%d/%m/%Y' as 'day/month/year': a person fixing a file never sees a strftime directive."""
    return re.sub(r"%[a-zA-Z]", lambda m: _DIRECTIVE_NAMES.get(m.group(0), "…"), date_format)


def example_date(date_format: str) -> str:
    return dt.date(2026, 3, 27).strftime(date_format)


def check_text(value: str) -> str | None:
    """Why a text cell cannot be imported as it is, or None."""
    if len(value) > MAX_CELL_CHARACTERS:
        return f"the value is {len(value):,} characters long; the most a cell may hold is {MAX_CELL_CHARACTERS:,}"
    if value.startswith(FORMULA_STARTS) and not _is_number(value):
        return (
            f"the value starts with {value[0]!r}, so a spreadsheet would run it as a formula; "
            "remove the leading character (a workbook's formulas: paste them back as values only)"
        )
    if "\x00" in value:
        return "the value contains a NUL character, which text never does: is the file corrupt?"
    return None


def multiline_columns(profile: ImportProfile) -> set[str]:
    """The profile's columns that may hold a line break: free text (the item's details, or a form's
    textarea answers). Any other column holding one means a CSV quote is missing or extra."""
    form_fields = {field["name"]: field for field in profile.form.fields} if profile.form else {}
    free_text = set()
    for column, target in profile.columns.items():
        if target == "details" or (
            target.startswith("answers.") and form_fields.get(target[8:], {}).get("widget") == "textarea"
        ):
            free_text.add(column)
    return free_text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class RowMapper:
    """Maps rows of one profile's files; build it once per run, after reading the file's header."""

    def __init__(self, profile: ImportProfile, header: Sequence[str]) -> None:  # noqa: C901 (one check per column the profile names, each reported)
        self.profile = profile
        self.header = [str(name).strip() for name in header]
        self.header_problems: list[Problem] = []
        position: dict[str, int] = {}
        for index, name in enumerate(self.header):
            if name in position:
                self.header_problems.append(
                    Problem(
                        1,
                        name,
                        name,
                        f"the column appears twice (columns {position[name] + 1} and {index + 1})",
                    )
                )
            position.setdefault(name, index)
        wanted = [profile.key_column, profile.person_column, *profile.columns]
        for name in wanted:
            if name not in position:
                self.header_problems.append(
                    Problem(1, name, "", "the column is missing from the file's header row")
                )
        self.width = len(self.header)
        self.key_at = position.get(profile.key_column, -1)
        self.person_at = position.get(profile.person_column, -1)
        self.parse_date = date_parser(profile.date_format)
        self.date_example = example_date(profile.date_format)
        self.form = profile.form
        self.validator = AnswerValidator(self.form) if self.form else None
        self.write_summary = SummaryWriter(self.form) if self.form else None
        self.translator = CodeTranslator(profile.agency)
        self.category_id = profile.category_id or (self.form.category_id if self.form else None)
        self.sensitivity = profile.sensitivity
        form_fields = {field["name"]: field for field in self.form.fields} if self.form else {}
        self.answer_columns: dict[str, str] = {}
        self.cells: list[tuple[int, str, Callable[[str], Any], str, str]] = []
        coded: list[str] = []
        dates: list[str] = []
        for column, target in profile.columns.items():
            if column not in position:
                continue
            if target in ITEM_FIELDS:
                convert: Callable[[str], Any] = self._date if target in DATE_FIELDS else self._text
                self.cells.append((position[column], column, convert, "item", target))
            elif target.startswith("answers.") and target[8:] in form_fields:
                field = form_fields[target[8:]]
                self.answer_columns[field["name"]] = column
                kind, convert = self._answer_converter(field)
                self.cells.append((position[column], column, convert, kind, field["name"]))
                if kind == "date":
                    dates.append(field["name"])
                elif field["widget"] in {"radios", "select"}:
                    coded.append(field["name"])
            else:
                self.header_problems.append(
                    Problem(
                        1,
                        column,
                        target,
                        f"the profile maps this column to '{target}', which is not an item field or a question of its form",
                    )
                )
        # In the file's column order, so a row's problems read left to right (a profile's columns
        # are a JSON object, whose key order PostgreSQL's jsonb does not keep).
        self.cells.sort(key=lambda cell: cell[0])
        # Codes come through the vocabulary and dates are parsed, so only the rest needs the schema.
        self.answers_surely_valid: Callable[[dict[str, Any]], bool] = (
            self.validator.quick_check_for_converted(coded=coded, dates=dates)
            if self.validator
            else lambda answers: True
        )
        self._codes: dict[tuple[str, str], str] = {}
        self._dates: dict[str, dt.date] = {}
        person_scheme = IdentifierScheme(profile.person_scheme)
        self.normalise_person = NORMALISERS[person_scheme]
        label = str(person_scheme.label)  # mid-sentence: 'the local identifier', but 'the PNC ID'
        self.person_label = label if label[:2].isupper() else label[:1].lower() + label[1:]
        self.applies_from = self.form.definition.get("applies_from") if self.form else None
        self.persons = self._person_index()
        self.today = timezone.localdate()
        self.default_review = self.today + dt.timedelta(days=365)
        # Where each item field came from, so a problem with it names the column to fix.
        self.field_columns = {
            target: column for column, target in profile.columns.items() if target in ITEM_FIELDS
        }
        if self.form is not None and (applies_from := self.form.definition.get("applies_from")):
            self.field_columns.setdefault("valid_from", self.answer_columns.get(applies_from, "valid_from"))

    def _person_index(self) -> dict[str, Any]:
        """Every identifier of the profile's scheme, normalised, to the person it identifies."""
        scheme = IdentifierScheme(self.profile.person_scheme)
        query = AgencyIdentifier.objects.filter(scheme=scheme)
        if scheme == IdentifierScheme.LOCAL:
            query = query.filter(agency=self.profile.agency)
        index: dict[str, Any] = {}
        normalise = NORMALISERS[scheme]
        for value, person_id in query.values_list("value", "person_id").iterator(chunk_size=10_000):
            index[value] = person_id
            try:
                index.setdefault(normalise(value), person_id)
            except ValidationError:
                continue
        return index

    # Converters: each takes the cell's text and returns the value, or raises ValueError(reason).

    def _text(self, value: str) -> str:
        return value  # already checked for length and formulas, as every cell is

    def _date(self, value: str) -> dt.date:
        """The date written; remembered, as an extract's dates fall on a few hundred days."""
        known = self._dates.get(value)
        if known is not None:
            return known
        try:
            day = self.parse_date(value)
        except (ValueError, TypeError):
            raise ValueError(
                f"not a real date: write it as {describe_date_format(self.profile.date_format)}, for example "
                f"{self.date_example}"
            ) from None
        if len(self._dates) < MEMO_LIMIT:
            self._dates[value] = day
        return day

    def _answer_converter(self, field: dict[str, Any]) -> tuple[str, Callable[[str], Any]]:
        """(kind, converter) for a column holding answers to `field`."""
        widget = field["widget"]
        if widget in {"radios", "select"}:
            scheme = field["scheme"]
            return "answer", lambda value: self._code(scheme, value)
        if widget == "checkboxes":
            scheme, separator = field["scheme"], self.profile.list_separator
            return "list", lambda value: [
                self._code(scheme, part) for part in value.split(separator) if part.strip()
            ]
        if widget == "date":
            return "date", self._date
        if widget == "number":
            return "answer", self._number
        return "answer", self._text

    def _code(self, scheme: str, value: str) -> str:
        """The concept code `value` means; remembered, as an extract repeats a few codes a million times."""
        known = self._codes.get((scheme, value))
        if known is not None:
            return known
        try:
            code = self.translator.concept(scheme, value).code
        except InvalidInput as error:
            raise ValueError(error.message) from None
        self._codes[(scheme, value)] = code
        return code

    def _number(self, value: str) -> int | float:
        try:
            return int(value)
        except ValueError:
            pass
        try:
            number = float(value)
        except ValueError:
            raise ValueError("not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("not a number")
        return number

    def _row_problem(self, row_number: int, column: str, value: str, reason: str) -> Problem:
        return Problem(row_number, column, shown(value), reason)

    def _person(self, row_number: int, text: str, problems: list[Problem]) -> Any:
        column = self.profile.person_column
        if not text:
            problems.append(Problem(row_number, column, "", "the row does not say who it is about"))
            return None
        if (text[0] in FORMULA_FIRST_CHARACTERS or len(text) > MAX_CELL_CHARACTERS or "\x00" in text) and (
            reason := check_text(text)
        ):
            problems.append(self._row_problem(row_number, column, text, reason))
            return None
        person_id = self.persons.get(text)  # most extracts write identifiers as stored
        if person_id is not None:
            return person_id
        try:
            normalised = self.normalise_person(text)
        except ValidationError as error:
            problems.append(self._row_problem(row_number, column, text, " ".join(error.messages)))
            return None
        person_id = self.persons.get(normalised)
        if person_id is None:
            problems.append(
                self._row_problem(
                    row_number,
                    column,
                    text,
                    f"nobody in the partnership has the {self.person_label} {normalised}: add the person "
                    "or their identifier first",
                )
            )
        return person_id

    def map(self, row_number: int, cells: Sequence[str]) -> MappedRow:  # noqa: C901 (one check per cell of the row, each reported with its column)
        """The row as an item, or RowProblems naming every problem in it."""
        if len(cells) != self.width:
            raise RowProblems(
                [
                    Problem(
                        row_number,
                        "",
                        "",
                        f"the row has {len(cells)} value{'s' if len(cells) != 1 else ''} but the header has "
                        f"{self.width} columns: a separator or quote is missing or extra",
                    )
                ]
            )
        problems: list[Problem] = []
        key = cells[self.key_at].strip()
        if not key:
            problems.append(
                Problem(
                    row_number,
                    self.profile.key_column,
                    "",
                    "the row has no key: every row needs the agency's own id",
                )
            )
        elif len(key) > MAX_KEY_CHARACTERS or check_text(key):
            problems.append(
                self._row_problem(
                    row_number,
                    self.profile.key_column,
                    key,
                    check_text(key) or f"a key must be {MAX_KEY_CHARACTERS} characters or fewer",
                )
            )
        person_id = self._person(row_number, cells[self.person_at].strip(), problems)
        fields: dict[str, Any] = {
            "person_id": person_id,
            "category_id": self.category_id,
            "sensitivity": self.sensitivity,
        }
        answers: dict[str, Any] = {}
        applies_from = None
        for index, column, convert, kind, target in self.cells:
            value = cells[index].strip()
            if not value:
                continue
            # The quick test first: check_text's full checks cost more than the whole of a normal cell.
            if (
                len(value) > MAX_CELL_CHARACTERS or value[0] in FORMULA_FIRST_CHARACTERS or "\x00" in value
            ) and (reason := check_text(value)):
                problems.append(self._row_problem(row_number, column, value, reason))
                continue
            try:
                converted = convert(value)
            except ValueError as error:
                problems.append(self._row_problem(row_number, column, value, str(error)))
                continue
            if kind == "item":
                fields[target] = converted
            elif kind == "date":
                answers[target] = converted.isoformat()
                if target == self.applies_from:
                    applies_from = converted
            elif kind == "answer" or converted:
                answers[target] = converted
        if self.validator is not None and not problems and not self.answers_surely_valid(answers):
            for name, message in self.validator.errors(answers).items():
                problems.append(
                    self._row_problem(
                        row_number, self.answer_columns.get(name, name), str(answers.get(name, "")), message
                    )
                )
        if problems:
            raise RowProblems(problems)
        if self.form is not None:
            if "summary" not in fields:
                assert self.write_summary is not None  # made with the form
                fields["summary"] = self.write_summary(answers)
            fields["payload"] = payload_of(self.form, answers)
            if applies_from is not None and "valid_from" not in fields:
                fields["valid_from"] = applies_from
        item_problems = item_field_problems(
            summary=fields.setdefault("summary", ""),
            details=fields.get("details", ""),
            valid_from=fields.setdefault("valid_from", self.today),
            valid_to=fields.get("valid_to"),
            review_by=fields.setdefault("review_by", self.default_review),
            today=self.today,
        )
        if item_problems:
            for name, message in item_problems.items():
                column = self.field_columns.get(name, name)
                problems.append(
                    self._row_problem(row_number, column, _cell(cells, self.header, column), message)
                )
            raise RowProblems(problems)
        return MappedRow(key=key, fields=fields)


def _cell(cells: Sequence[str], header: list[str], column: str) -> str:
    try:
        return cells[header.index(column)]
    except ValueError:
        return ""
