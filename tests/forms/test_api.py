import pytest
from django.utils import timezone

from iomshare.partnership.tokens import issue_token
from iomshare.records.models import InformationItem
from tests.exchange.conftest import ApiClient


@pytest.fixture
def api(client, officer):
    _token, secret = issue_token(for_staff=officer, name="police case system", by=None)
    return ApiClient(client, secret)


def test_the_api_lists_the_latest_version_of_every_form(api):
    forms = {form["code"]: form for form in api.get("/forms").json()}
    assert forms["risk_summary"]["is_assessment"] is True
    assert forms["contact_record"]["category"] == "contact"


def test_the_api_gives_a_forms_definition_by_version(api):
    body = api.get("/forms/contact_record/versions/1").json()
    assert body["definition"]["schema"]["required"] == ["contact_date", "contact_type", "outcome"]
    assert api.get("/forms/contact_record/versions/9").status_code == 404


def test_the_api_validates_answers_without_recording(api):
    response = api.post(
        "/forms/contact_record/validate",
        {"answers": {"contact_date": timezone.localdate().isoformat(), "outcome": "nope"}},
    )
    body = response.json()
    assert response.status_code == 200 and body["is_valid"] is False
    assert {"field": "contact_type", "message": "Select the type of contact"} in body["errors"]
    assert InformationItem.objects.count() == 0


def test_the_api_records_an_item_on_a_form(api, person):
    answers = {
        "contact_date": timezone.localdate().isoformat(),
        "contact_type": "telephone",
        "outcome": "attended_complied",
    }
    response = api.post(f"/persons/{person.pk}/forms/contact_record", {"answers": answers})
    assert response.status_code == 201
    assert response.json()["payload"] == {"form": "contact_record", "version": 1, "answers": answers}
    assert response["Location"] == f"/api/v1/items/{response.json()['id']}"


def test_the_api_refuses_invalid_answers_naming_each_question(api, person):
    response = api.post(
        f"/persons/{person.pk}/forms/contact_record", {"answers": {"contact_date": "yesterday"}}
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"contact_date", "contact_type", "outcome"}
    assert InformationItem.objects.count() == 0
