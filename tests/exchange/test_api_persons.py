import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.factories import (
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)


def review() -> dict:
    """The review date every access list entry needs (people.access_lists): 90 days from the day the
    test runs."""
    return {"review_on": dt.date.today() + dt.timedelta(days=90)}


def test_me_says_who_the_token_acts_as(police_api):
    response = police_api.get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "officer",
        "name": "Priya Shah",
        "agency": "police",
        "agency_name": "Northshire Police",
        "role": "practitioner",
        "is_system_account": False,
    }


def test_search_finds_a_person_by_name_with_identifiers_and_current_tier(police_api, person, police):
    person.identifiers.all().delete()  # only the identifiers this test gives
    AgencyIdentifierFactory(person=person, agency=police, scheme="pnc", value="2001/0012345L")
    ended = timezone.localdate() - dt.timedelta(days=30)
    CohortMembershipFactory(
        person=person,
        tier="flex",
        lead_agency=police,
        started_on=ended - dt.timedelta(days=400),
        ended_on=ended,
    )
    CohortMembershipFactory(person=person, tier="fixed", lead_agency=police)
    PersonFactory(given_name="Someone", family_name="Else")
    response = police_api.get("/persons", {"q": "jordan whit"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["limit"] == 20 and body["offset"] == 0
    [found] = body["results"]
    assert found["id"] == str(person.id)
    assert (found["given_name"], found["family_name"]) == ("Jordan", "Whitlock")
    assert found["date_of_birth"] == person.date_of_birth.isoformat()
    assert found["identifiers"] == [{"scheme": "pnc", "value": "2001/0012345L", "agency": "police"}]
    assert found["current_tier"] == "fixed"


def test_search_finds_a_person_by_an_exact_identifier(police_api, person, probation, police):
    person.identifiers.all().delete()  # only the identifiers this test gives
    AgencyIdentifierFactory(person=person, agency=probation, scheme="nomis", value="A1234BC")
    # Known only to probation and not in the cohort: police cannot find out that they exist.
    assert police_api.get("/persons", {"q": "a1234bc"}).json()["results"] == []
    assert police_api.get(f"/persons/{person.id}").status_code == 404
    # In a cohort the police lead (people.visibility), they may find him by probation's identifier.
    CohortMembershipFactory(person=person, tier="flex", lead_agency=police)
    results = police_api.get("/persons", {"q": "a1234bc"}).json()["results"]
    assert [r["id"] for r in results] == [str(person.id)]
    assert results[0]["current_tier"] == "flex"


def test_a_person_hidden_by_an_access_list_answers_as_if_they_did_not_exist(
    police_api, person, police, officer
):
    from iomshare.people.access_lists import add_to_access_list

    CohortMembershipFactory(person=person, tier="fixed", lead_agency=police)
    assert police_api.get(f"/persons/{person.id}").status_code == 200
    lead = StaffMemberFactory(agency=police, role="ig_lead")
    add_to_access_list(
        person, "exclusion", officer, by=lead, reason="The officer is a relative of this person", **review()
    )
    response = police_api.get(f"/persons/{person.id}")
    assert response.status_code == 404 and str(person.id) in response.json()["detail"]
    assert police_api.get("/persons", {"q": "whitlock"}).json()["count"] == 0


def test_search_pages_through_matches_in_a_stable_order(police_api, police):
    people = [PersonFactory(given_name="Casey", family_name=f"Pager{n:02}") for n in range(7)]
    for member in people:
        CohortMembershipFactory(person=member, lead_agency=police)
    seen = []
    for offset in (0, 3, 6):
        body = police_api.get("/persons", {"q": "casey", "limit": 3, "offset": offset}).json()
        assert body["count"] == 7 and body["offset"] == offset and body["limit"] == 3
        seen += [r["id"] for r in body["results"]]
    assert seen == [str(p.id) for p in people]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "Field required"),
        ({"q": "j"}, "q", "at least 2 characters"),
        ({"q": "  j  "}, "q", "at least 2 characters"),
        ({"q": "x" * 101}, "q", "at most 100 characters"),
        ({"q": "jordan", "limit": 0}, "limit", "greater than or equal to 1"),
        ({"q": "jordan", "limit": 101}, "limit", "less than or equal to 100"),
        ({"q": "jordan", "offset": -1}, "offset", "greater than or equal to 0"),
        ({"q": "jordan", "limit": "ten"}, "limit", "valid integer"),
    ],
)
def test_bad_search_parameters_are_a_422_problem_naming_the_field(police_api, params, field, message):
    response = police_api.get("/persons", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["type"].endswith("/invalid-input")
    [error] = problem["errors"]
    assert error["location"] == "query" and error["field"] == field
    assert message in error["message"]


def test_one_person_with_identifiers_and_cohort_memberships(police_api, person, police, probation_officer):
    person.identifiers.all().delete()  # only the identifiers this test gives
    AgencyIdentifierFactory(person=person, agency=police, scheme="local", value="NP-77")
    membership = CohortMembershipFactory(person=person, tier="fixed", lead_agency=police)
    membership.key_workers.add(probation_officer)
    response = police_api.get(f"/persons/{person.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(person.id) and body["current_tier"] == "fixed"
    assert body["identifiers"] == [{"scheme": "local", "value": "NP-77", "agency": "police"}]
    assert body["memberships"] == [
        {
            "tier": "fixed",
            "lead_agency": "police",
            "started_on": membership.started_on.isoformat(),
            "ended_on": None,
            # Probation shares nothing with the police here, so its key worker is not shown to them.
            "key_workers": [],
        }
    ]


def test_an_unknown_person_is_a_404_problem(police_api):
    missing = uuid.uuid4()
    for path in (f"/persons/{missing}", f"/persons/{missing}/items?purpose=risk_management"):
        response = police_api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("/not-found") and problem["status"] == 404
        assert str(missing) in problem["detail"]


def test_a_malformed_person_id_is_a_422_problem_on_the_path(police_api):
    response = police_api.get("/persons/not-a-uuid")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["location"] == "path" and error["field"] == "person_id"
