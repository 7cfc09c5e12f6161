"""Changing an action's due date or owner: by its owner, its raiser or its meeting's chair, with a
reason; history and the ledger; reminders follow the new date; bad input changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.casework import services
from iomshare.casework.models import Action, ActionChangeKind, RaisedFrom
from iomshare.casework.reminders import remind_due_actions
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action as LedgerAction
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from tests.exchange.conftest import ApiClient
from tests.factories import StaffMemberFactory

WHAT = "Arrange a joint home visit with the police IOM officer."
WHY = "The housing officer is on leave until the 20th."


def today():
    return timezone.localdate()


@pytest.fixture
def action(officer, probation_officer, person):
    return services.raise_action(
        by=officer,
        person=person,
        description=WHAT,
        due_on=today() + dt.timedelta(days=3),
        owner=probation_officer,
    )


def replans():
    return [
        e.details
        for e in LedgerEntry.objects.filter(action=LedgerAction.CASE_WORK).order_by("id")
        if e.details["change"] != "raised"
    ]


def test_the_owner_moves_the_due_date_with_a_reason_and_it_is_history_and_on_the_ledger(
    action, probation_officer
):
    new_due = today() + dt.timedelta(days=10)
    changed = services.replan_action(
        action, due_on=new_due, owner=probation_officer, reason=WHY, by=probation_officer
    )
    assert Action.objects.get(pk=action.pk).due_on == new_due
    change = changed.changes.last()
    assert change.kind == ActionChangeKind.DUE_DATE_CHANGED and change.by == probation_officer
    assert f"to {new_due.day} {new_due:%B %Y}" in change.note and WHY in change.note
    (entry,) = replans()
    assert entry["change"] == "due_changed" and entry["due_on"] == new_due.isoformat()
    assert entry["previous_due_on"] == action.due_on.isoformat() and entry["previous_owner"] == "po"


def test_the_raiser_hands_it_to_an_agency_and_to_another_member_of_staff(action, officer, police, person):
    changed = services.replan_action(
        action, due_on=action.due_on, owner=None, owning_agency=police, reason=WHY, by=officer
    )
    assert changed.owner is None and changed.owning_agency == police
    assert changed.changes.last().kind == ActionChangeKind.OWNER_CHANGED
    colleague = StaffMemberFactory(username="colleague", agency=police)
    both = services.replan_action(
        changed, due_on=today() + dt.timedelta(days=1), owner=colleague, reason=WHY, by=officer
    )
    assert both.owner == colleague and both.changes.last().kind == ActionChangeKind.REPLANNED
    assert [e["change"] for e in replans()] == ["owner_changed", "replanned"]


def test_bad_input_names_each_field_and_changes_nothing(action, probation_officer, person):
    stranger = StaffMemberFactory(username="stranger", agency=None)
    with pytest.raises(InvalidInput) as error:
        services.replan_action(
            action, due_on=today() - dt.timedelta(days=1), owner=stranger, reason="soon", by=probation_officer
        )
    assert set(error.value.field_errors) == {"due_on", "owner", "reason"}
    with pytest.raises(InvalidInput) as error:
        services.replan_action(
            action, due_on=action.due_on, owner=probation_officer, reason=WHY, by=probation_officer
        )
    assert error.value.field_errors == {"due_on": "Change the due date or the owner (both are as they were)"}
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.due_on, fresh.owner_id) == (action.due_on, probation_officer.pk)
    assert not replans() and fresh.changes.count() == 1


def test_only_the_owner_the_raiser_or_the_meeting_chair_may_change_it(action, police, probation, person):
    colleague = StaffMemberFactory(agency=probation)  # the owning agency's staff may close it, not move it
    manager = StaffMemberFactory(agency=police, role=Role.PARTNERSHIP_MANAGER)
    for someone in (colleague, manager):
        assert not services.may_replan(someone, action)
        with pytest.raises(NotPermitted):
            services.replan_action(
                action,
                due_on=action.due_on + dt.timedelta(days=1),
                owner=action.owner,
                reason=WHY,
                by=someone,
            )
    services.change_status(action, status="done", by=action.owner)
    assert not services.may_replan(action.owner, Action.objects.get(pk=action.pk)), "only open actions"


def test_the_meeting_chair_may_change_an_action_from_the_meeting(person, police, probation, officer):
    from iomshare.casework import meetings

    chair = StaffMemberFactory(username="chair", agency=police, role=Role.PARTNERSHIP_MANAGER)
    meeting = meetings.arrange_meeting(
        by=chair,
        kind="case_conference",
        held_on=today(),
        chair=chair,
        purpose="case_conference",
        agencies=[police, probation],
        attendees=[officer],
        people=[person],
    )
    action = services.raise_action(
        by=officer,
        person=person,
        description=WHAT,
        due_on=today() + dt.timedelta(days=7),
        owner=officer,
        raised_from=RaisedFrom.MEETING,
        meeting=meeting,
    )
    assert services.may_replan(chair, action)
    services.replan_action(
        action, due_on=today() + dt.timedelta(days=14), owner=officer, reason=WHY, by=chair
    )
    assert Action.objects.get(pk=action.pk).due_on == today() + dt.timedelta(days=14)


def test_reminders_follow_the_new_date(action, probation_officer):
    day_before = action.due_on - dt.timedelta(days=1)
    assert remind_due_actions(today=day_before) == 1
    later = action.due_on + dt.timedelta(days=5)
    services.replan_action(action, due_on=later, owner=probation_officer, reason=WHY, by=probation_officer)
    assert remind_due_actions(today=action.due_on) == 0, "nothing is due on the old date"
    assert remind_due_actions(today=later - dt.timedelta(days=1)) == 1
    assert remind_due_actions(today=later) == 1
    reminded = [c.note for c in Action.objects.get(pk=action.pk).changes.filter(kind="reminded")]
    assert reminded == ["Due tomorrow", "Due tomorrow", "Due today"]


def test_moved_back_to_a_date_already_reminded_of_it_is_reminded_again(action, probation_officer):
    old = action.due_on
    assert remind_due_actions(today=old - dt.timedelta(days=1)) == 1
    services.replan_action(
        action, due_on=old + dt.timedelta(days=5), owner=probation_officer, reason=WHY, by=probation_officer
    )
    services.replan_action(action, due_on=old, owner=probation_officer, reason=WHY, by=probation_officer)
    assert remind_due_actions(today=old - dt.timedelta(days=1)) == 1


def test_through_the_api_with_problem_details(client, action, probation_officer, officer):
    owner_api = ApiClient(
        client, issue_token(for_staff=probation_officer, name="probation system", by=None)[1]
    )
    new_due = (today() + dt.timedelta(days=9)).isoformat()
    bad = owner_api.post(f"/actions/{action.pk}/plan", {"due_on": "2001-01-01", "reason": "x"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in bad.json()["errors"]} == {"due_on", "reason"}
    unknown = owner_api.post(f"/actions/{action.pk}/plan", {"owner": "nobody", "reason": WHY})
    assert unknown.status_code == 422 and {e["field"] for e in unknown.json()["errors"]} == {"owner"}
    assert Action.objects.get(pk=action.pk).due_on == action.due_on
    moved = owner_api.post(f"/actions/{action.pk}/plan", {"due_on": new_due, "reason": WHY})
    assert moved.status_code == 200, moved.content
    assert moved.json()["due_on"] == new_due and moved.json()["owner"] == "po", "the owner is kept"
    handed = owner_api.post(f"/actions/{action.pk}/plan", {"owner": "officer", "reason": WHY})
    assert handed.json()["owner"] == "officer" and handed.json()["owning_agency"] == "police"
    outsider = StaffMemberFactory(agency=probation_officer.agency)
    other_api = ApiClient(client, issue_token(for_staff=outsider, name="other", by=None)[1])
    refused = other_api.post(f"/actions/{action.pk}/plan", {"due_on": new_due, "reason": WHY})
    assert refused.status_code == 403


def test_the_page_changes_the_due_date_and_shows_it_in_the_history(client, action, probation_officer):
    client.force_login(probation_officer)
    page = client.get(f"/casework/actions/{action.pk}/")
    assert f"/casework/actions/{action.pk}/change/" in page.content.decode()
    new_due = today() + dt.timedelta(days=12)
    bad = client.post(
        f"/casework/actions/{action.pk}/change/",
        {"due_on-day": "31", "due_on-month": "2", "due_on-year": "2027", "owner": "staff:po", "reason": ""},
    )
    assert bad.status_code == 422
    assert "The due date must be a real date" in bad.content.decode()
    assert "Enter why it is changed" in bad.content.decode()
    assert Action.objects.get(pk=action.pk).due_on == action.due_on
    done = client.post(
        f"/casework/actions/{action.pk}/change/",
        {
            "due_on-day": str(new_due.day),
            "due_on-month": str(new_due.month),
            "due_on-year": str(new_due.year),
            "owner": "staff:po",
            "reason": WHY,
        },
        follow=True,
    )
    assert done.status_code == 200 and Action.objects.get(pk=action.pk).due_on == new_due
    assert "Due date changed" in done.content.decode() and WHY in done.content.decode()


def test_someone_who_may_not_change_it_gets_no_change_page(client, action, probation):
    client.force_login(StaffMemberFactory(agency=probation))
    assert client.get(f"/casework/actions/{action.pk}/change/").status_code == 403
