import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from iomshare.forms.answers import AnswerValidator
from iomshare.forms.fastcheck import compile_answers_check

VALID = {"contact_date": "2026-01-05", "contact_type": "home_visit", "outcome": "attended_complied"}


def test_valid_answers_have_no_errors(contact_record):
    assert AnswerValidator(contact_record).errors(VALID) == {}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"outcome": None}, "outcome", "Select the outcome of the contact"),
        ({"contact_date": None}, "contact_date", "Enter date of contact"),
        (
            {"outcome": "went_well"},
            "outcome",
            "Select one of the options for outcome: ‘went_well’ is not one of them",
        ),
        (
            {"contact_date": "2026-02-30"},
            "contact_date",
            "Date of contact must be a real date, written as YYYY-MM-DD",
        ),
        ({"notes": "x" * 5001}, "notes", "Notes (optional) must be 5,000 characters or fewer"),
        ({"mood": "fine"}, "mood", "‘mood’ is not a question on Contact record version 1"),
    ],
)
def test_each_problem_is_named_by_its_question_in_plain_words(contact_record, change, field, message):
    answers = {**VALID, **change}
    answers = {name: value for name, value in answers.items() if value is not None}
    assert AnswerValidator(contact_record).errors(answers) == {field: message}


def test_a_number_question_refuses_text_and_numbers_out_of_range(db):
    from iomshare.forms.models import FormDefinition

    form = FormDefinition.objects.get(code="intervention_record")
    base = {
        "intervention_type": "mentoring",
        "pathway": "health",
        "provider": "Recovery",
        "start_date": "2026-01-01",
    }
    validator = AnswerValidator(form)
    assert validator.errors({**base, "sessions_attended": "six"}) == {
        "sessions_attended": "Sessions attended (optional) must be a whole number"
    }
    assert validator.errors({**base, "sessions_attended": 501}) == {
        "sessions_attended": "Sessions attended (optional) must be 500 or less"
    }


def test_errors_come_in_the_order_the_form_asks(contact_record):
    errors = AnswerValidator(contact_record).errors({"outcome": "bad"})
    assert list(errors) == ["contact_date", "contact_type", "outcome"]


def test_a_concept_added_to_a_scheme_is_accepted_at_once(contact_record):
    from iomshare.vocabulary.models import Concept, Scheme

    Concept.objects.create(
        scheme=Scheme.objects.get(code="contact_type"),
        code="street",
        preferred_term="Street",
        definition="In the street.",
    )
    assert AnswerValidator(contact_record).errors({**VALID, "contact_type": "street"}) == {}


# The fast check must accept exactly what jsonschema accepts, or an import would store invalid answers.
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["day", "kind"],
    "properties": {
        "day": {"type": "string", "format": "date"},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "note": {"type": "string", "maxLength": 5, "minLength": 1},
        "count": {"type": "integer", "minimum": 0, "maximum": 10},
        "hours": {"type": "number", "exclusiveMaximum": 80},
        "tags": {
            "type": "array",
            "items": {"type": "string", "enum": ["x", "y"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
    },
}
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=100),
    st.sampled_from(
        ["a", "b", "c", "x", "y", "", "AB", "abc", "2026-01-05", "2026-02-30", "20260105", "toolong"]
    ),
    st.dates(min_value=dt.date(1900, 1, 1)).map(dt.date.isoformat),
    st.lists(st.sampled_from(["x", "y", "z", 1]), max_size=3),
)
answers = st.dictionaries(
    st.sampled_from(["day", "kind", "note", "count", "hours", "tags", "code", "other"]), values, max_size=8
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(answers)
def test_the_fast_check_agrees_with_jsonschema(candidate):
    fast = compile_answers_check(SCHEMA)
    assert fast is not None
    thorough = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert fast(candidate) == thorough.is_valid(candidate)


def test_a_schema_beyond_the_fast_check_falls_back_to_jsonschema():
    assert (
        compile_answers_check({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}})
        is None
    )
    assert compile_answers_check({"type": "object", "properties": {"a": {"format": "email"}}}) is None


# The quick check an import uses leaves out only what converting codes and dates guarantees.
CONVERTED_CONTACTS = st.fixed_dictionaries(
    {
        "contact_date": st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        "contact_type": st.sampled_from(["home_visit", "telephone", "office_appointment"]),
        "outcome": st.sampled_from(["attended_complied", "failed_to_attend_unacceptable"]),
    },
    optional={"notes": st.text(max_size=5010).filter(bool) | st.just("x" * 5001)},
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=CONVERTED_CONTACTS, drop=st.sets(st.sampled_from(["contact_date", "contact_type", "outcome"])))
def test_the_quick_check_for_converted_answers_agrees_with_the_validator(contact_record, answers, drop):
    answers = {name: value for name, value in answers.items() if name not in drop}
    validator = AnswerValidator(contact_record)
    quick = validator.quick_check_for_converted(coded=["contact_type", "outcome"], dates=["contact_date"])
    assert quick(answers) == (validator.errors(answers) == {})


def test_the_quick_check_still_applies_a_coded_question_s_own_rules(contact_record):
    """A coded question whose schema asks more than its scheme (here a pattern) is still checked."""
    contact_record.definition = copy.deepcopy(contact_record.definition)
    contact_record.schema["properties"]["contact_type"]["pattern"] = "^home"
    validator = AnswerValidator(contact_record)
    quick = validator.quick_check_for_converted(coded=["contact_type", "outcome"], dates=["contact_date"])
    assert quick(VALID)
    assert not quick({**VALID, "contact_type": "telephone"})
    assert "contact_type" in validator.errors({**VALID, "contact_type": "telephone"})
