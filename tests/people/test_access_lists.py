"""Per-person exclusion and restriction lists: who they hide a person from, who manages them."""

import datetime as dt

import pytest
from django.urls import reverse

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people.access_lists import (
    add_to_access_list,
    hidden_person_ids,
    may_see_person,
    person_for_management,
    remove_from_access_list,
)
from iomshare.people.models import AccessListEntry, AccessListKind, Person
from tests.factories import TEST_PASSWORD, PersonFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def review() -> dict:
    """The review date every access list entry needs (people.access_lists): 90 days from the day the
    test runs."""
    return {"review_on": dt.date.today() + dt.timedelta(days=90)}


@pytest.fixture
def lead(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def colleague(police):
    return StaffMemberFactory(username="colleague", agency=police, role=Role.PRACTITIONER)


def hidden(viewer):
    return set(Person.objects.filter(pk__in=hidden_person_ids(viewer)).values_list("pk", flat=True))


def test_an_excluded_member_of_staff_cannot_see_the_person_and_others_still_can(
    lead, officer, colleague, person
):
    other = PersonFactory()
    add_to_access_list(
        person, AccessListKind.EXCLUSION, officer, by=lead, reason="Lives next door", **review()
    )
    assert not may_see_person(officer, person.pk)
    assert may_see_person(officer, other.pk)
    assert may_see_person(colleague, person.pk)
    assert hidden(officer) == {person.pk}
    assert hidden(colleague) == set()


def test_a_restriction_list_leaves_only_the_staff_it_names(
    lead, officer, colleague, probation_officer, person
):
    add_to_access_list(
        person, AccessListKind.RESTRICTION, officer, by=lead, reason="Protected witness", **review()
    )
    add_to_access_list(
        person, AccessListKind.RESTRICTION, probation_officer, by=lead, reason="Offender manager", **review()
    )
    assert may_see_person(officer, person.pk) and may_see_person(probation_officer, person.pk)
    assert not may_see_person(colleague, person.pk) and not may_see_person(lead, person.pk)
    assert hidden(colleague) == {person.pk} and hidden(officer) == set()


def test_exclusion_wins_over_restriction(lead, officer, person):
    add_to_access_list(
        person, AccessListKind.RESTRICTION, officer, by=lead, reason="Case officer", **review()
    )
    add_to_access_list(
        person, AccessListKind.EXCLUSION, officer, by=lead, reason="Conflict found later", **review()
    )
    assert not may_see_person(officer, person.pk) and hidden(officer) == {person.pk}


def test_taking_someone_off_a_list_restores_sight_and_keeps_the_history(lead, officer, colleague, person):
    entry = add_to_access_list(
        person, AccessListKind.RESTRICTION, officer, by=lead, reason="Witness", **review()
    )
    assert not may_see_person(colleague, person.pk)
    remove_from_access_list(entry, by=lead, reason="Trial over")
    assert may_see_person(colleague, person.pk) and hidden(colleague) == set()
    entry.refresh_from_db()
    assert entry.removed_by == lead and entry.removal_reason == "Trial over"
    changes = LedgerEntry.objects.filter(action=Action.ACCESS_LIST_CHANGED).order_by("at", "lane_seq")
    assert [e.details["change"] for e in changes] == ["added", "removed"]
    assert changes[0].details == {
        "change": "added",
        "list": "restriction",
        "staff_member": "officer",
        "reason": "Witness",
        "review_on": review()["review_on"].isoformat(),
        "approval": "not_needed",
    }
    assert all(e.person_id == person.pk and e.actor_username == "police.ig" for e in changes)
    with pytest.raises(InvalidInput, match="already taken off"):
        remove_from_access_list(entry, by=lead, reason="Again")


def test_only_ig_leads_manage_access_lists(officer, colleague, person):
    with pytest.raises(NotPermitted):
        add_to_access_list(
            person, AccessListKind.EXCLUSION, colleague, by=officer, reason="Neighbour", **review()
        )
    assert not AccessListEntry.objects.exists() and not LedgerEntry.objects.exists()


def test_a_change_needs_a_reason_a_list_and_a_member_of_staff(lead, officer, person):
    with pytest.raises(InvalidInput) as raised:
        add_to_access_list(person, "shortlist", None, by=lead, reason="  ", **review())
    assert set(raised.value.field_errors) == {"kind", "staff_member", "reason"}
    add_to_access_list(person, AccessListKind.EXCLUSION, officer, by=lead, reason="Neighbour", **review())
    with pytest.raises(InvalidInput, match="already on the exclusion list"):
        add_to_access_list(person, AccessListKind.EXCLUSION, officer, by=lead, reason="Twice", **review())
    assert AccessListEntry.objects.count() == 1


# --- the page ---------------------------------------------------------------------------------------


def signed_in(client, member):
    assert client.login(username=member.username, password=TEST_PASSWORD)
    return client


def test_an_ig_lead_adds_and_removes_from_the_page(client, lead, officer, person):
    signed_in(client, lead)
    url = reverse("people:access-lists", kwargs={"person_id": person.pk})
    review_on = review()["review_on"]
    response = client.post(
        url,
        {
            "kind": "exclusion",
            "staff_member": officer.username,
            "reason": "Neighbour",
            "review_on-day": review_on.day,
            "review_on-month": review_on.month,
            "review_on-year": review_on.year,
        },
    )
    assert response.status_code == 302
    entry = AccessListEntry.objects.get()
    page = client.get(url).content.decode()
    assert "Neighbour" in page and str(officer) in page
    remove = reverse("people:access-list-remove", kwargs={"person_id": person.pk, "entry_id": entry.pk})
    assert client.post(remove, {"reason": ""}).status_code == 400
    assert client.post(remove, {"reason": "Moved away"}).status_code == 302
    assert may_see_person(officer, person.pk)


def test_the_page_lists_every_problem_and_changes_nothing(client, lead, person):
    signed_in(client, lead)
    response = client.post(reverse("people:access-lists", kwargs={"person_id": person.pk}), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Select which list" in page and "Enter the reason" in page
    assert "Enter the review date" in page
    assert not AccessListEntry.objects.exists()


def test_practitioners_cannot_open_the_page_and_an_excluded_lead_finds_no_person(
    client, lead, officer, person, police
):
    url = reverse("people:access-lists", kwargs={"person_id": person.pk})
    signed_in(client, officer)
    assert client.get(url).status_code == 403
    other_lead = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    add_to_access_list(person, AccessListKind.EXCLUSION, other_lead, by=lead, reason="Related", **review())
    signed_in(client, other_lead)
    assert client.get(url).status_code == 404


def test_the_ig_lead_still_manages_the_lists_of_a_person_restricted_to_others(lead, officer, person):
    # The restriction hides the person from everyone it does not name, the lead included; someone
    # must still be able to correct the list, so the lead's list page opens.
    add_to_access_list(
        person, AccessListKind.RESTRICTION, officer, by=lead, reason="Protected witness", **review()
    )
    assert not may_see_person(lead, person.pk)
    assert person_for_management(lead, person.pk) == person
    add_to_access_list(
        person, AccessListKind.EXCLUSION, lead, by=lead, reason="Conflict of interest", **review()
    )
    with pytest.raises(NotFound):
        person_for_management(lead, person.pk)
