"""Requests for information through the API: the same rules, errors as problem details."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.partnership.tokens import issue_token
from tests.exchange.conftest import ApiClient
from tests.information_requests.conftest import JUSTIFICATION


@pytest.fixture
def probation_api(client, probation_officer):
    return ApiClient(
        client, issue_token(for_staff=probation_officer, name="probation case system", by=None)[1]
    )


@pytest.fixture
def police_ig_api(client, police_ig):
    return ApiClient(client, issue_token(for_staff=police_ig, name="police IG tools", by=None)[1])


def body(person, **overrides):
    return {
        "person": str(person.pk),
        "holding_agency": "police",
        "category": "intelligence",
        "purpose": "risk_management",
        "legal_gateway": "cda-1998-s115",
        "justification": JUSTIFICATION,
        "urgency": "urgent",
    } | overrides


def test_a_request_made_through_the_api_is_listed_and_read_back(probation_api, police_ig, person):
    response = probation_api.post("/information-requests", body(person))
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "awaiting" and made["holding_agency"] == "police"
    assert made["covered_by_protocol"] is False and made["refusal_reason"] == "no_protocol"
    assert made["approved_item_ids"] == [] and made["requested_by"] == "po"
    assert [r["id"] for r in probation_api.get("/information-requests").json()["results"]] == [made["id"]]
    assert probation_api.get(f"/information-requests/{made['id']}").json() == made


def test_bad_input_is_a_problem_naming_each_field_and_nothing_is_made(probation_api, police, person):
    response = probation_api.post(
        "/information-requests", body(person, category="horoscopes", justification="short")
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    fields = {error["field"]: error["message"] for error in problem["errors"]}
    assert "'horoscopes' is not a category" in fields["category"]
    assert "at least 25 characters" in fields["justification"]
    assert not InformationRequest.objects.exists()


def test_a_missing_field_or_unknown_person_is_a_problem(probation_api, police, person):
    payload = body(person)
    del payload["legal_gateway"]
    response = probation_api.post("/information-requests", payload)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["legal_gateway"]
    response = probation_api.post(
        "/information-requests", body(person) | {"person": "00000000-0000-0000-0000-000000000000"}
    )
    assert response.status_code == 404
    assert not InformationRequest.objects.exists()


def test_the_ig_lead_decides_through_the_api_and_the_requester_cannot(
    probation_api, police_ig_api, person, intelligence_items
):
    made = probation_api.post("/information-requests", body(person)).json()
    first = str(intelligence_items[0].pk)
    until = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    denied = probation_api.post(
        f"/information-requests/{made['id']}/decision",
        {"decision": "approve", "item_ids": [first], "expires_on": until},
    )
    assert denied.status_code == 403 and denied.json()["type"].endswith("not-permitted")
    queue = police_ig_api.get("/information-requests", {"to_my_agency": "true"}).json()["results"]
    assert [r["id"] for r in queue] == [made["id"]]
    candidates = police_ig_api.get(f"/information-requests/{made['id']}/candidate-items").json()
    assert {c["summary"] for c in candidates} == {"Seen with a knife", "Associates named"}
    assert probation_api.get(f"/information-requests/{made['id']}/candidate-items").status_code == 404
    decided = police_ig_api.post(
        f"/information-requests/{made['id']}/decision",
        {"decision": "approve", "item_ids": [first], "expires_on": until},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved" and decided.json()["approved_item_ids"] == [first]
    mine = probation_api.get(f"/information-requests/{made['id']}").json()
    assert mine["is_in_force"] is True and mine["expires_on"] == until


def test_a_refusal_without_a_reason_is_a_problem(probation_api, police_ig_api, person):
    made = probation_api.post("/information-requests", body(person)).json()
    response = police_ig_api.post(f"/information-requests/{made['id']}/decision", {"decision": "refuse"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert InformationRequest.objects.get().status == RequestStatus.AWAITING_DECISION


def test_someone_elses_request_is_not_found(client, probation_api, officer, police_ig, person):
    made = probation_api.post("/information-requests", body(person)).json()
    officer_api = ApiClient(client, issue_token(for_staff=officer, name="police", by=None)[1])
    assert officer_api.get(f"/information-requests/{made['id']}").status_code == 404
    assert officer_api.get("/information-requests").json()["results"] == []
