"""One helper titles and answers every page with a form: 'Error: ' and 400 when there are problems."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from iomshare.kit.form_pages import first_errors, render_form_page


class _NameForm(forms.Form):
    name = forms.CharField(error_messages={"required": "Enter a name"})
    note = forms.CharField(required=False, max_length=3, error_messages={"max_length": "Keep it short"})


def test_a_form_with_problems_gives_each_fields_first_problem():
    form = _NameForm(data={"note": "too long"})
    assert not form.is_valid()
    assert first_errors(form) == {"name": "Enter a name", "note": "Keep it short"}


def _request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def test_a_page_with_problems_is_titled_error_and_answers_400(db):
    response = render_form_page(
        _request(), "web/base.html", {}, title="Record a contact", errors={"name": "Enter a name"}
    )
    assert response.status_code == 400
    assert "<title>Error: Record a contact –" in response.content.decode()


def test_a_page_without_problems_answers_200(db):
    response = render_form_page(_request(), "web/base.html", {}, title="Record a contact")
    assert response.status_code == 200
    assert "<title>Record a contact –" in response.content.decode()


def test_a_page_that_always_answered_problems_with_422_keeps_its_status(db):
    response = render_form_page(
        _request(), "web/base.html", {}, title="Refer", errors={"reason": "Enter"}, error_status=422
    )
    assert response.status_code == 422
    assert "<title>Error: Refer –" in response.content.decode()
    assert (
        render_form_page(_request(), "web/base.html", {}, title="Refer", error_status=422).status_code == 200
    )
