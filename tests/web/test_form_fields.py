"""The shared form fields read a post as the pages always read it: optional, cut, and as sent."""

from django.http import QueryDict

from iomshare.kit.form_fields import CodeField, PageForm, TextField, ValuesField, choice
from iomshare.web.date_forms import DateInputForm


class _Form(PageForm):
    code = CodeField(clip=3)
    text = TextField(clip=5)
    picked = ValuesField(limit=2, clip=2)
    which = choice("a", "b")


def test_fields_are_optional_cut_and_stripped_only_where_asked():
    form = _Form(QueryDict("code=+abcdef+&text=+hello+world&picked=xyz&picked=12&picked=3&which=a"))
    assert form.is_valid()
    assert form.cleaned_data == {"code": "abc", "text": " hell", "picked": ["xy", "12"], "which": "a"}
    empty = _Form(QueryDict("which=b"))
    assert empty.is_valid() and empty.cleaned_data["picked"] == [] and empty.cleaned_data["code"] == ""


def test_a_choice_not_offered_leaves_the_form_invalid_and_ids_are_field_names():
    form = _Form(QueryDict("which=c"))
    assert not form.is_valid() and "which" in form.errors
    assert 'id="code"' in str(form["code"])


class _DateForm(DateInputForm):
    pass


def test_a_date_input_form_keeps_the_problem_and_what_was_typed():
    form = _DateForm(QueryDict("on-day=31&on-month=2&on-year=2027+++"))
    assert form.read_date("on", "the date", required=True) is None
    assert "must be a real date" in form.date_errors["on"]
    assert form.date_parts("on") == {"day": "31", "month": "2", "year": "2027"}
    assert form.date_parts("on", strip=False)["year"] == "2027"
    assert form.read_date("off", "the other date") is None and "off" not in form.date_errors
