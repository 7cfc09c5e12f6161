"""The GOV.UK date input as a form field: the same messages as parse_date_input, the boxes as typed."""

import datetime as dt

from django import forms
from django.http import QueryDict

from iomshare.web.govuk_date_field import GovukDateInputField, typed_parts


class WhenForm(forms.Form):
    due_on = GovukDateInputField(label="the due date")
    seen_on = GovukDateInputField(label="the date seen", required=False)


def _form(query: str) -> WhenForm:
    return WhenForm(QueryDict(query))


def test_three_boxes_make_a_date_and_an_optional_empty_date_is_none():
    form = _form("due_on-day=7&due_on-month=12&due_on-year=2026")
    assert form.is_valid()
    assert form.cleaned_data == {"due_on": dt.date(2026, 12, 7), "seen_on": None}


def test_each_problem_has_parse_date_inputs_message():
    assert _form("").errors == {"due_on": ["Enter the due date"]}
    assert _form("due_on-day=7&due_on-year=2026").errors == {"due_on": ["The due date must include a month"]}
    assert _form("due_on-day=31&due_on-month=2&due_on-year=2026").errors == {
        "due_on": ["The due date must be a real date"]
    }


def test_the_boxes_come_back_as_typed_and_empty_before_anything_is_sent():
    assert typed_parts(_form("due_on-day=x&due_on-month=2&due_on-year=2026"), "due_on") == {
        "day": "x",
        "month": "2",
        "year": "2026",
    }
    assert typed_parts(WhenForm(), "due_on") == {"day": "", "month": "", "year": ""}
