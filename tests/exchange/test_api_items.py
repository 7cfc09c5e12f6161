import datetime as dt

import pytest
from django.utils import timezone

from iomshare.records.models import InformationItem, ItemStatus, Sensitivity
from tests.days import on_the_day
from tests.factories import CategoryFactory, InformationItemFactory


def new_item(**overrides):
    today = timezone.localdate()
    return {
        "category": "accommodation",
        "sensitivity": "OFFICIAL-SENSITIVE",
        "summary": "Moved into supported housing",
        "details": "Tenancy starts on Monday.",
        "payload": {"address_type": "supported"},
        "valid_from": (today - dt.timedelta(days=2)).isoformat(),
        "review_by": (today + dt.timedelta(days=90)).isoformat(),
    } | overrides


def test_the_items_list_shows_every_field_of_the_callers_own_agencys_items(police_api, officer, person):
    item = InformationItemFactory(
        person=person,
        holding_agency=officer.agency,
        author=officer,
        category=CategoryFactory(code="risk"),
        sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
        summary="Assessed as high risk",
        details="Reasons given in full.",
        payload={"level": "high"},
        valid_to=timezone.localdate() + dt.timedelta(days=5),
    )
    response = police_api.get(f"/persons/{person.id}/items", {"purpose": "risk_management"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["limit"] == 20 and body["offset"] == 0
    [shown] = body["results"]
    assert shown == {
        "id": str(item.id),
        "person": str(person.id),
        "holding_agency": "police",
        "category": "risk",
        "sensitivity": "OFFICIAL-SENSITIVE",
        "summary": "Assessed as high risk",
        "details": "Reasons given in full.",
        "payload": {"level": "high"},
        "recorded_at": shown["recorded_at"],
        "valid_from": item.valid_from.isoformat(),
        "valid_to": item.valid_to.isoformat(),
        "review_by": item.review_by.isoformat(),
        "author": "Priya Shah",
        "nature": "fact",
        "shared_under": "own-agency",
    }
    # JSON carries times to the millisecond.
    assert abs(dt.datetime.fromisoformat(shown["recorded_at"]) - item.recorded_at) < dt.timedelta(
        milliseconds=1
    )


def test_a_probation_token_never_sees_a_police_item(
    probation_api, probation_officer, officer, person, accommodation
):
    police_item = InformationItemFactory(
        person=person, holding_agency=officer.agency, author=officer, summary="Police intelligence note"
    )
    own = InformationItemFactory(
        person=person,
        holding_agency=probation_officer.agency,
        category=accommodation,
        summary="Probation note",
    )
    response = probation_api.get(f"/persons/{person.id}/items", {"purpose": "risk_management"})
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [str(own.id)] and body["count"] == 1
    assert "Police intelligence note" not in response.content.decode()
    single = probation_api.get(f"/items/{police_item.id}", {"purpose": "risk_management"})
    assert single.status_code == 404
    assert "Police intelligence note" not in single.content.decode()


def test_withdrawn_items_are_not_listed(police_api, officer, person):
    InformationItemFactory(person=person, holding_agency=officer.agency, status=ItemStatus.WITHDRAWN)
    assert police_api.get(f"/persons/{person.id}/items", {"purpose": "risk_management"}).json()["count"] == 0


def test_items_are_paged_newest_first(police_api, officer, person):
    now = timezone.now()
    items = [
        InformationItemFactory(
            person=person, holding_agency=officer.agency, recorded_at=now - dt.timedelta(hours=n)
        )
        for n in range(5)
    ]
    first = police_api.get(f"/persons/{person.id}/items", {"limit": 2, "purpose": "risk_management"}).json()
    rest = police_api.get(
        f"/persons/{person.id}/items", {"limit": 2, "offset": 2, "purpose": "risk_management"}
    ).json()
    last = police_api.get(
        f"/persons/{person.id}/items", {"limit": 2, "offset": 4, "purpose": "risk_management"}
    ).json()
    assert first["count"] == rest["count"] == last["count"] == 5
    ids = [r["id"] for page in (first, rest, last) for r in page["results"]]
    assert ids == [str(i.id) for i in items]
    past_the_end = police_api.get(
        f"/persons/{person.id}/items", {"limit": 2, "offset": 6, "purpose": "risk_management"}
    ).json()
    assert past_the_end["count"] == 5 and past_the_end["results"] == []


def test_every_read_of_items_needs_a_known_purpose(police_api, officer, person):
    InformationItemFactory(person=person, holding_agency=officer.agency)
    missing = police_api.get(f"/persons/{person.id}/items")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "purpose"
    unknown = police_api.get(f"/persons/{person.id}/items", {"purpose": "curiosity"})
    assert unknown.status_code == 422
    assert "'curiosity' is not a purpose" in unknown.json()["detail"]
    response = police_api.get(f"/persons/{person.id}/items", {"purpose": "risk_management"})
    assert response.status_code == 200 and response.json()["count"] == 1
    too_long = police_api.get(f"/persons/{person.id}/items", {"purpose": "x" * 41})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "purpose"


def test_the_purposes_a_caller_may_declare_are_listed(police_api):
    response = police_api.get("/purposes")
    assert response.status_code == 200
    assert response.json() == []  # no protocol is in force in this test partnership


def test_one_item_can_be_read_by_its_own_agency(police_api, officer, person):
    item = InformationItemFactory(person=person, holding_agency=officer.agency, summary="Seen at home")
    response = police_api.get(f"/items/{item.id}", {"purpose": "risk_management"})
    assert response.status_code == 200
    assert response.json()["summary"] == "Seen at home"


def test_recording_an_item_returns_201_with_the_item_and_its_location(
    police_api, officer, person, accommodation
):
    response = police_api.post(f"/persons/{person.id}/items", new_item())
    assert response.status_code == 201
    item = InformationItem.objects.get()
    assert response["Location"] == f"/api/v1/items/{item.id}"
    body = response.json()
    assert (
        body["id"] == str(item.id) and body["holding_agency"] == "police" and body["author"] == "Priya Shah"
    )
    assert body["sensitivity"] == "OFFICIAL-SENSITIVE" and body["payload"] == {"address_type": "supported"}
    assert item.holding_agency == officer.agency and item.author == officer and item.person == person
    assert item.sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert item.valid_from == timezone.localdate() - dt.timedelta(days=2)
    assert item.details == "Tenancy starts on Monday."
    assert (
        police_api.get(response["Location"].removeprefix("/api/v1"), {"purpose": "risk_management"}).json()
        == body
    )


def test_recording_defaults_to_official_valid_today_and_a_review_in_a_year(police_api, person, accommodation):
    today = timezone.localdate()
    response = police_api.post(
        f"/persons/{person.id}/items", {"category": "accommodation", "summary": "Housed"}
    )
    assert response.status_code == 201
    item = InformationItem.objects.get()
    assert item.sensitivity == Sensitivity.OFFICIAL and item.valid_from == today
    assert item.review_by == today + dt.timedelta(days=365)


def test_naming_your_own_agency_as_holder_is_allowed(police_api, person, accommodation):
    response = police_api.post(f"/persons/{person.id}/items", new_item(holding_agency="police"))
    assert response.status_code == 201


def test_an_item_cannot_be_recorded_for_another_agency(police_api, person, probation, accommodation):
    response = police_api.post(f"/persons/{person.id}/items", new_item(holding_agency="probation"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/not-permitted") and "your own agency" in problem["detail"]
    assert not InformationItem.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"summary": 12}, "summary", "valid string"),
        ({"summary": "   "}, "summary", "Enter a summary"),
        ({"summary": "x" * 301}, "summary", "at most 300 characters"),
        ({"category": "no-such-category"}, "category", "no category with the code 'no-such-category'"),
        ({"sensitivity": "SECRET"}, "sensitivity", "'OFFICIAL' or 'OFFICIAL-SENSITIVE'"),
        ({"valid_from": "2024-13-01"}, "valid_from", "valid date"),
        (
            {"valid_from": lambda today: (today + dt.timedelta(days=1)).isoformat()},
            "valid_from",
            "today or in the past",
        ),
        ({"valid_to": lambda today: (today - dt.timedelta(days=5)).isoformat()}, "valid_to", "on or after"),
        ({"review_by": lambda today: today.isoformat()}, "review_by", "must be in the future"),
        (
            {"review_by": lambda today: (today + dt.timedelta(days=5 * 365)).isoformat()},
            "review_by",
            "within 3 years",
        ),
        ({"payload": ["not", "an", "object"]}, "payload", "valid dictionary"),
        ({"held_by": "probation"}, "held_by", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_body_is_a_422_problem_naming_the_field_and_records_nothing(
    police_api, person, accommodation, overrides, field, message
):
    response = police_api.post(f"/persons/{person.id}/items", new_item(**on_the_day(overrides)))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["type"].endswith("/invalid-input")
    errors = {e["field"]: e for e in problem["errors"]}
    assert errors[field]["location"] == "body"
    assert message in errors[field]["message"]
    assert not InformationItem.objects.exists()


def test_a_missing_required_field_is_named(police_api, person):
    response = police_api.post(f"/persons/{person.id}/items", {"sensitivity": "OFFICIAL"})
    assert response.status_code == 422
    assert {(e["field"], e["message"]) for e in response.json()["errors"]} == {
        ("category", "Field required"),
        ("summary", "Field required"),
    }


def test_a_body_that_is_not_json_is_a_400_problem(police_api, person):
    response = police_api.post(f"/persons/{person.id}/items", "{not json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "application/json" in response.json()["detail"]
    assert not InformationItem.objects.exists()


def test_recording_for_an_unknown_person_is_a_404_problem(police_api, accommodation):
    response = police_api.post("/persons/6f1c1d35-0d0b-4f55-a8a2-3d1f9b3a0e11/items", new_item())
    assert response.status_code == 404
    assert not InformationItem.objects.exists()
