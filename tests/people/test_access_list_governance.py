"""Who may hide a person from the partnership: the lead agency, or another agency with its approval.

Issue 12 point 6: a charity's IG lead put a police-led person on a restriction list naming one
charity worker; the police then got a bare 404 and no notification.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people.access_lists import (
    add_to_access_list,
    approve_access_list_entry,
    hidden_person_ids,
    may_see_person,
    refuse_access_list_entry,
    remove_from_access_list,
)
from iomshare.people.models import AccessListApproval, AccessListKind
from tests.factories import AgencyFactory, CohortMembershipFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def review() -> dict:
    """The review date every access list entry needs (people.access_lists): 90 days from the day the
    test runs."""
    return {"review_on": timezone.localdate() + dt.timedelta(days=90)}


@pytest.fixture
def charity(db):
    return AgencyFactory(code="charity", name="Second Chance Trust", kind="vcs", is_statutory=False)


@pytest.fixture
def charity_ig(charity):
    return StaffMemberFactory(username="charity.ig", agency=charity, role=Role.IG_LEAD)


@pytest.fixture
def charity_worker(charity):
    return StaffMemberFactory(username="charity.worker", agency=charity)


@pytest.fixture
def police_ig(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def police_led(person, police, officer):
    membership = CohortMembershipFactory(person=person, lead_agency=police)
    membership.key_workers.add(officer)
    return person


def place(by, staff, person, kind=AccessListKind.RESTRICTION):
    return add_to_access_list(person, kind, staff, by=by, reason="Protected witness", **review())


def changes():
    entries = LedgerEntry.objects.filter(action=Action.ACCESS_LIST_CHANGED).order_by("at", "lane_seq")
    return [e.details["change"] for e in entries]


def told(staff):
    return [n.message for n in Notification.objects.filter(recipient=staff)]


def test_another_agencys_restriction_waits_for_the_lead_agencys_approval(
    police_led, charity_ig, charity_worker, officer, police_ig
):
    place(charity_ig, charity_worker, police_led)
    assert may_see_person(officer, police_led.pk)  # nothing changes until the police approve
    assert Notification.objects.filter(recipient=police_ig).exists()

    assert police_led.pk not in set(hidden_person_ids(officer).values_list("pk", flat=True))
    assert changes() == ["requested"]


def test_the_lead_agencys_approval_puts_the_entry_in_force_and_tells_everyone_concerned(
    police_led, charity_ig, charity_worker, officer, police_ig
):
    entry = place(charity_ig, charity_worker, police_led)
    approve_access_list_entry(entry, by=police_ig, reason="Agreed at the case conference")
    assert not may_see_person(officer, police_led.pk) and may_see_person(charity_worker, police_led.pk)
    assert changes() == ["requested", "approved"]
    assert any("Jordan Whitlock" in m and "is now on" in m for m in told(charity_ig))
    # The key worker the restriction now hides the person from is told so, without the name.
    (message,) = told(officer)
    assert "Whitlock" not in message and "hides a person you worked with" in message


def test_a_refused_entry_never_comes_into_force_and_its_placer_is_told_why(
    police_led, charity_ig, charity_worker, officer, police_ig
):
    entry = place(charity_ig, charity_worker, police_led)
    with pytest.raises(InvalidInput):
        refuse_access_list_entry(entry, by=police_ig, reason=" ")
    refuse_access_list_entry(entry, by=police_ig, reason="Police manage the risk; no need shown")
    entry.refresh_from_db()
    assert entry.approval == AccessListApproval.REFUSED and entry.removed_at is not None
    assert may_see_person(officer, police_led.pk)
    assert any("no need shown" in m for m in told(charity_ig))
    assert changes() == ["requested", "refused"]
    with pytest.raises(InvalidInput, match="already been decided"):
        approve_access_list_entry(entry, by=police_ig, reason="Changed our mind")


def test_only_the_lead_agencys_ig_lead_decides(police_led, charity_ig, charity_worker, probation):
    entry = place(charity_ig, charity_worker, police_led)
    probation_ig = StaffMemberFactory(agency=probation, role=Role.IG_LEAD)
    for outsider in (charity_ig, probation_ig):
        with pytest.raises(NotPermitted):
            approve_access_list_entry(entry, by=outsider, reason="Fine by us")
    entry.refresh_from_db()
    assert entry.is_pending


def test_the_lead_agencys_own_entry_is_in_force_at_once_and_the_key_workers_are_told(
    police_led, police_ig, officer, probation_officer
):
    place(police_ig, probation_officer, police_led, kind=AccessListKind.EXCLUSION)
    assert not may_see_person(probation_officer, police_led.pk)
    assert changes() == ["added"]
    (message,) = told(officer)
    assert "Owen Jones is now on Jordan Whitlock's exclusion list" in message


def test_a_review_date_in_the_future_is_required(police_led, police_ig, probation_officer):
    for review_on, error in ((None, "Enter the date"), (timezone.localdate(), "must be in the future")):
        with pytest.raises(InvalidInput) as raised:
            add_to_access_list(
                police_led,
                AccessListKind.EXCLUSION,
                probation_officer,
                by=police_ig,
                reason="Neighbour",
                review_on=review_on,
            )
        assert error in raised.value.field_errors["review_on"]
    assert changes() == []


def test_only_the_lead_agency_or_the_placing_agency_takes_an_entry_off(
    police_led, police_ig, charity_ig, charity_worker, probation
):
    entry = place(charity_ig, charity_worker, police_led)
    approve_access_list_entry(entry, by=police_ig, reason="Agreed")
    with pytest.raises(NotPermitted):
        remove_from_access_list(
            entry, by=StaffMemberFactory(agency=probation, role=Role.IG_LEAD), reason="No"
        )
    remove_from_access_list(entry, by=charity_ig, reason="Witness protection ended")
    assert changes() == ["requested", "approved", "removed"]


def test_the_lead_agency_approves_from_the_page_and_others_may_not_open_it(
    client, police_led, charity_ig, charity_worker, police_ig
):
    entry = place(charity_ig, charity_worker, police_led)
    url = reverse("people:access-list-decide", args=[police_led.pk, entry.pk])
    client.force_login(charity_ig)
    # The charity shares nothing with the police here: the person is as absent to them (visibility rule).
    assert client.get(url).status_code == 404
    client.force_login(police_ig)
    response = client.post(url, {"reason": "Agreed"})
    assert response.status_code == 400 and "Select whether to approve or refuse" in response.content.decode()
    assert client.post(url, {"decision": "approve", "reason": "Agreed"}).status_code == 302
    entry.refresh_from_db()
    assert entry.approval == AccessListApproval.APPROVED
