"""Reminders: an "action due" event the day before and on the due date, once each, told to the owner
(or the owning agency's staff who may know the person) through the alerts outbox and fan-out."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from iomshare.alerts import fanout
from iomshare.alerts.models import CohortEvent, EventKind, Notification
from iomshare.casework import services
from iomshare.casework.models import Action
from iomshare.casework.reminders import remind_due_actions
from iomshare.ledger.models import Action as LedgerAction
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, StaffMemberFactory

WHAT = "Check the new address with the housing officer."


@pytest.fixture
def due_in_two_days(officer, probation_officer, person):
    return services.raise_action(
        by=officer,
        person=person,
        description=WHAT,
        due_on=timezone.localdate() + dt.timedelta(days=2),
        owner=probation_officer,
    )


def events():
    return list(CohortEvent.objects.filter(kind=EventKind.ACTION_DUE).order_by("id"))


def test_the_owner_is_reminded_the_day_before_and_on_the_day_once_each(due_in_two_days, probation_officer):
    today = timezone.localdate()
    assert remind_due_actions(today=today) == 0
    assert remind_due_actions(today=today + dt.timedelta(days=1)) == 1
    assert remind_due_actions(today=today + dt.timedelta(days=1)) == 0, "idempotent"
    assert remind_due_actions(today=today + dt.timedelta(days=2)) == 1
    assert remind_due_actions(today=today + dt.timedelta(days=2)) == 0
    assert [e.details["when"] for e in events()] == ["tomorrow", "today"]
    assert fanout.fan_out(limit=100) == 2
    told = list(Notification.objects.filter(kind=EventKind.ACTION_DUE).order_by("id"))
    assert [n.recipient for n in told] == [probation_officer, probation_officer]
    assert told[0].message == f"Action {due_in_two_days.number} about Jordan Whitlock is due tomorrow."
    assert told[1].link == f"/casework/actions/{due_in_two_days.pk}/"
    notified = LedgerEntry.objects.filter(action=LedgerAction.NOTIFICATION, actor_id=probation_officer.pk)
    assert notified.count() == 2, "each alert is a disclosure on the ledger"
    assert [c.kind for c in due_in_two_days.changes.all()] == ["raised", "reminded", "reminded"]


def test_closed_actions_are_not_reminded(due_in_two_days, probation_officer):
    services.change_status(due_in_two_days, status="done", by=probation_officer)
    assert remind_due_actions(today=due_in_two_days.due_on) == 0
    assert not events()


def test_an_agency_owned_action_tells_its_staff_who_may_know_the_person(officer, person, probation):
    colleague = StaffMemberFactory(agency=probation, username="colleague")
    volunteer = StaffMemberFactory(agency=probation, role=Role.VOLUNTEER, is_volunteer=True)
    StaffMemberFactory(agency=AgencyFactory(code="council"), username="outsider")
    action = services.raise_action(
        by=officer, person=person, description=WHAT, due_on=timezone.localdate(), owning_agency=probation
    )
    assert remind_due_actions() == 1
    fanout.fan_out(limit=100)
    told = {n.recipient.username for n in Notification.objects.filter(kind=EventKind.ACTION_DUE)}
    assert told == {"colleague"}, "not volunteers, nor another agency's staff"
    assert colleague.pk and volunteer.pk and action.pk


def test_an_owner_who_may_no_longer_know_the_person_is_told_nothing(
    due_in_two_days, probation_officer, person
):
    # Probation no longer knows the person (its identifier is gone): the door tells its officer nothing.
    person.identifiers.filter(agency__code="probation").delete()
    remind_due_actions(today=due_in_two_days.due_on)
    fanout.fan_out(limit=100)
    assert not Notification.objects.filter(recipient=probation_officer, kind=EventKind.ACTION_DUE).exists()


def test_the_command_reminds_and_queues(due_in_two_days, capsys):
    call_command("actions", "remind", "--today", due_in_two_days.due_on.isoformat())
    assert "Wrote 1 reminder of actions due." in capsys.readouterr().out
    call_command("actions", "remind", "--queue")
    assert "Queued the reminders as job" in capsys.readouterr().out
    assert Action.objects.get().reminded_due_on == due_in_two_days.due_on
