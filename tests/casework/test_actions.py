"""Actions: raised about a person, owned by staff or an agency, done or cancelled; who may, bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.casework import selectors, services
from iomshare.casework.models import Action, ActionChange, ActionChangeKind, ActionStatus, RaisedFrom
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action as LedgerAction
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, CohortMembershipFactory, PersonFactory, StaffMemberFactory

WHAT = "Arrange a joint home visit with the police IOM officer."


def today():
    return timezone.localdate()


def case_work():
    return list(LedgerEntry.objects.filter(action=LedgerAction.CASE_WORK).order_by("id"))


@pytest.fixture
def action(officer, probation_officer, person):
    return services.raise_action(
        by=officer,
        person=person,
        description=WHAT,
        due_on=today() + dt.timedelta(days=3),
        owner=probation_officer,
    )


def test_a_practitioner_raises_an_action_owned_by_a_colleague_of_another_agency(action, officer, person):
    assert action.status == ActionStatus.OPEN and action.owning_agency.code == "probation"
    assert action.raised_by == officer and action.raising_agency == officer.agency
    assert action.raised_from == RaisedFrom.PERSON_PAGE
    (change,) = action.changes.all()
    assert change.kind == ActionChangeKind.RAISED and change.by == officer
    (entry,) = case_work()
    assert entry.person_id == person.pk and entry.details["action"] == action.pk
    assert entry.details["change"] == "raised" and entry.details["owner"] == "po"


def test_an_action_owned_by_an_agency_with_nobody_named(officer, person, probation):
    action = services.raise_action(
        by=officer, person=person, description=WHAT, due_on=today(), owning_agency=probation
    )
    assert action.owner is None and action.owning_agency == probation
    assert action.owner_name == probation.name


def test_bad_input_names_each_field_and_changes_nothing(officer, person):
    with pytest.raises(InvalidInput) as error:
        services.raise_action(
            by=officer, person=person, description="soon", due_on=today() - dt.timedelta(days=1)
        )
    assert set(error.value.field_errors) == {"description", "owner", "due_on"}
    assert "today or in the future" in error.value.field_errors["due_on"]
    assert not Action.objects.exists() and not case_work()


def test_a_due_date_more_than_a_year_ahead_is_refused(officer, person):
    with pytest.raises(InvalidInput) as error:
        services.raise_action(
            by=officer,
            person=person,
            description=WHAT,
            due_on=today() + dt.timedelta(days=400),
            owner=officer,
        )
    assert set(error.value.field_errors) == {"due_on"}


def test_nobody_raises_an_action_about_a_person_they_may_not_know(police, person):
    stranger_agency = AgencyFactory(code="council", name="Northshire Council")
    stranger = StaffMemberFactory(agency=stranger_agency)
    with pytest.raises(NotFound):
        services.raise_action(by=stranger, person=person, description=WHAT, due_on=today(), owner=stranger)
    assert not Action.objects.exists()


def test_the_owner_must_be_someone_who_may_know_the_person(officer, person):
    outsider = StaffMemberFactory(agency=AgencyFactory(code="council"), first_name="Cal", last_name="Reed")
    with pytest.raises(InvalidInput) as error:
        services.raise_action(by=officer, person=person, description=WHAT, due_on=today(), owner=outsider)
    assert "may not know about Jordan Whitlock" in error.value.field_errors["owner"]
    assert not Action.objects.exists()


def test_system_accounts_cannot_own_actions(officer, person, police):
    system = StaffMemberFactory(agency=police, role=Role.SYSTEM)
    with pytest.raises(InvalidInput) as error:
        services.raise_action(by=officer, person=person, description=WHAT, due_on=today(), owner=system)
    assert "cannot own actions" in error.value.field_errors["owner"]


def test_an_administrator_without_an_agency_cannot_raise(person):
    admin = StaffMemberFactory(agency=None, role=Role.ADMIN)
    with pytest.raises(NotPermitted):
        services.raise_action(by=admin, person=person, description=WHAT, due_on=today(), owner=None)


def test_the_owner_marks_it_done_and_it_is_history_and_on_the_ledger(action, probation_officer):
    services.change_status(action, status="done", by=probation_officer)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.closed_at is not None
    assert [c.kind for c in action.changes.all()] == ["raised", "done"]
    assert [e.details["change"] for e in case_work()] == ["raised", "done"]


def test_cancelling_needs_a_reason_and_a_bad_status_changes_nothing(action, officer):
    with pytest.raises(InvalidInput) as error:
        services.change_status(action, status="cancelled", by=officer)
    assert "note" in error.value.field_errors
    with pytest.raises(InvalidInput) as error:
        services.change_status(action, status="overdue", by=officer)
    assert "status" in error.value.field_errors
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.changes.count() == 1 and len(case_work()) == 1
    services.change_status(action, status="cancelled", note="The visit is no longer needed.", by=officer)
    services.change_status(action, status="open", by=officer)
    assert [c.kind for c in action.changes.all()] == ["raised", "cancelled", "reopened"]


def test_who_may_change_an_action(action, police, probation, person):
    other_officer = StaffMemberFactory(agency=police)  # neither owner, raiser nor owning agency
    probation_colleague = StaffMemberFactory(agency=probation)
    manager = StaffMemberFactory(agency=police, role=Role.PARTNERSHIP_MANAGER)
    volunteer = StaffMemberFactory(agency=probation, role=Role.VOLUNTEER, is_volunteer=True)
    assert not services.may_change(other_officer, action)
    assert services.may_change(probation_colleague, action)
    assert services.may_change(manager, action)
    assert not services.may_change(volunteer, action)
    with pytest.raises(NotPermitted):
        services.change_status(action, status="done", by=other_officer)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_overdue_is_computed_from_the_due_date(action):
    assert not action.is_overdue()
    assert action.is_overdue(today() + dt.timedelta(days=4))
    action.status = ActionStatus.DONE
    assert not action.is_overdue(today() + dt.timedelta(days=4))


def test_my_actions_are_mine_and_my_agencys_unnamed_ones(
    action, officer, probation_officer, person, probation
):
    unnamed = services.raise_action(
        by=officer, person=person, description=WHAT, due_on=today(), owning_agency=probation
    )
    assert list(selectors.my_actions(probation_officer)) == [unnamed, action]
    assert list(selectors.my_actions(officer)) == []
    services.change_status(action, status="done", by=probation_officer)
    assert list(selectors.my_actions(probation_officer)) == [unnamed]
    assert list(selectors.my_actions(probation_officer, status="done")) == [action]


def test_the_agency_overdue_list_is_for_its_ig_lead_and_managers(action, probation):
    Action.objects.filter(pk=action.pk).update(due_on=today() - dt.timedelta(days=2))
    ig_lead = StaffMemberFactory(agency=probation, role=Role.IG_LEAD)
    practitioner = StaffMemberFactory(agency=probation)
    assert list(selectors.overdue_for_agency(ig_lead)) == [action]
    assert not selectors.may_read_overdue_list(practitioner)
    assert list(selectors.overdue_for_agency(practitioner)) == []


def test_actions_about_a_person_are_hidden_from_those_who_may_not_know_them(action):
    stranger = StaffMemberFactory(agency=AgencyFactory(code="council"))
    assert selectors.action_for(stranger, action.pk) is None
    assert selectors.open_actions_about(stranger, action.person_id) == []


def test_a_volunteer_sees_only_the_actions_they_own_or_raised(police, officer):
    volunteer = StaffMemberFactory(agency=police, role=Role.VOLUNTEER, is_volunteer=True)
    allocated = PersonFactory()
    membership = CohortMembershipFactory(person=allocated, lead_agency=police)
    membership.key_workers.add(volunteer, officer)
    theirs = services.raise_action(
        by=officer, person=allocated, description=WHAT, due_on=today(), owner=volunteer
    )
    officers = services.raise_action(
        by=officer, person=allocated, description=WHAT, due_on=today(), owner=officer
    )
    assert list(selectors.visible_actions(volunteer)) == [theirs]
    assert selectors.action_for(volunteer, officers.pk) is None


def test_an_action_from_a_request_must_be_about_the_same_person(officer, person):
    other = PersonFactory()

    class Request:  # a request for information about someone else
        person_id = other.pk
        requesting_agency_id = officer.agency_id
        holding_agency_id = None

    with pytest.raises(InvalidInput) as error:
        services.check_action(
            by=officer,
            person=person,
            description=WHAT,
            due_on=today(),
            owner=officer,
            information_request=Request(),
        )
    assert "information_request" in error.value.field_errors
    assert not ActionChange.objects.exists()
