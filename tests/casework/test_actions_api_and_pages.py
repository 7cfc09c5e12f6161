"""Actions through the API (problem details on bad input) and the pages (My actions, the overdue list,
raising one from a person's page or a request, marking it done, the person summary)."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.casework import services
from iomshare.casework.models import Action, ActionStatus
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from tests.exchange.conftest import ApiClient
from tests.factories import AgencyFactory, StaffMemberFactory

WHAT = "Share the licence conditions with the housing officer."


def due(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def officer_api(client, officer):
    return ApiClient(client, issue_token(for_staff=officer, name="police case system", by=None)[1])


@pytest.fixture
def probation_api(client, probation_officer):
    return ApiClient(client, issue_token(for_staff=probation_officer, name="probation system", by=None)[1])


def test_raise_list_and_close_through_the_api(officer_api, probation_api, person):
    made = officer_api.post(
        "/actions", {"person": str(person.pk), "description": WHAT, "due_on": due(3), "owner": "po"}
    )
    assert made.status_code == 201, made.content
    assert made.json()["raised_from"] == "api" and made.json()["owning_agency"] == "probation"
    action_id = made.json()["id"]
    assert [a["id"] for a in probation_api.get("/actions").json()] == [action_id]
    assert officer_api.get("/actions").json() == []
    bad = probation_api.post(f"/actions/{action_id}/status", {"status": "cancelled"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in bad.json()["errors"]} == {"note"}
    done = probation_api.post(f"/actions/{action_id}/status", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert [a["id"] for a in probation_api.get("/actions", {"status": "done"}).json()] == [action_id]
    assert probation_api.get("/actions", {"status": "late"}).status_code == 422


def test_bad_input_is_a_problem_naming_each_field_and_changes_nothing(officer_api, person):
    response = officer_api.post(
        "/actions",
        {"person": str(person.pk), "description": "x", "due_on": due(-1), "owner": "nobody"},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"owner"}
    response = officer_api.post("/actions", {"person": str(person.pk), "description": "x", "due_on": due(-1)})
    assert {e["field"] for e in response.json()["errors"]} == {"description", "owner", "due_on"}
    assert not Action.objects.exists()


def test_a_person_or_action_the_caller_may_not_know_is_a_404(client, officer, person):
    stranger = StaffMemberFactory(agency=AgencyFactory(code="council"))
    api = ApiClient(client, issue_token(for_staff=stranger, name="council", by=None)[1])
    made = api.post("/actions", {"person": str(person.pk), "description": WHAT, "due_on": due(1)})
    assert made.status_code == 404
    action = services.raise_action(
        by=officer, person=person, description=WHAT, due_on=timezone.localdate(), owner=officer
    )
    assert api.get(f"/actions/{action.pk}").status_code == 404


def test_raising_from_the_person_page_and_marking_done(client, officer, probation_officer, person):
    client.force_login(officer)
    page = client.get(f"/casework/people/{person.pk}/actions/new/")
    assert page.status_code == 200 and b"Raise an action about Jordan Whitlock" in page.content
    day = timezone.localdate() + dt.timedelta(days=5)
    bad = client.post(f"/casework/people/{person.pk}/actions/new/", {"description": "x", "owner": "staff:po"})
    assert bad.status_code == 422 and b"Enter the due date" in bad.content and not Action.objects.exists()
    response = client.post(
        f"/casework/people/{person.pk}/actions/new/",
        {
            "description": WHAT,
            "owner": "staff:po",
            "due_on-day": day.day,
            "due_on-month": day.month,
            "due_on-year": day.year,
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/casework/actions/{action.pk}/"
    summary = client.get(f"/cohort/people/{person.pk}/")
    assert WHAT[:40].encode() in summary.content, "open actions are on the person summary"
    client.force_login(probation_officer)
    assert WHAT[:40].encode() in client.get("/casework/actions/").content
    client.post(f"/casework/actions/{action.pk}/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_my_actions_shows_an_overdue_action_in_red_and_the_overdue_list_is_for_managers(
    client, officer, probation_officer, person, probation
):
    action = services.raise_action(
        by=officer, person=person, description=WHAT, due_on=timezone.localdate(), owner=probation_officer
    )
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(probation_officer)
    page = client.get("/casework/actions/").content.decode()
    assert 'data-testid="overdue"' in page and "1 overdue" in page
    assert client.get("/casework/actions/overdue/").status_code == 403
    client.force_login(StaffMemberFactory(agency=probation, role=Role.IG_LEAD))
    overdue = client.get("/casework/actions/overdue/").content.decode()
    assert f"/casework/actions/{action.pk}/" in overdue


def test_someone_who_may_not_know_the_person_gets_404s(client, officer, person):
    action = services.raise_action(
        by=officer, person=person, description=WHAT, due_on=timezone.localdate(), owner=officer
    )
    client.force_login(StaffMemberFactory(agency=AgencyFactory(code="council")))
    assert client.get(f"/casework/actions/{action.pk}/").status_code == 404
    assert client.get(f"/casework/people/{person.pk}/actions/new/").status_code == 404
