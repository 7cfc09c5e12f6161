import pytest
from django.urls import reverse

from iomshare.partnership.models import StaffMember
from iomshare.people.models import Tier
from iomshare.people.selectors import CohortFilters, search_cohort
from tests.factories import (
    AgencyIdentifierFactory,
    ClauseDocumentFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)


@pytest.fixture
def cohort(police, probation, officer):
    whitlock = CohortMembershipFactory(
        person=PersonFactory(given_name="Jordan", family_name="Whitlock"), tier=Tier.FIXED, lead_agency=police
    )
    whitlock.key_workers.add(officer)
    AgencyIdentifierFactory(person=whitlock.person, agency=police, scheme="nomis", value="A1234BC")
    marlow = CohortMembershipFactory(
        person=PersonFactory(given_name="Casey", family_name="Marlow"), tier=Tier.FLEX, lead_agency=probation
    )
    ended = CohortMembershipFactory(
        person=PersonFactory(given_name="Old", family_name="Member"), tier=Tier.FREE, lead_agency=probation
    )
    ended.ended_on = ended.started_on
    ended.save()
    # Probation shares with the police, so the officer may know probation's cohort members (visibility).
    active_protocol(clauses=[{**ClauseDocumentFactory(), "shared_by": "probation", "recipients": ["police"]}])
    TrainingRecordFactory(staff_member=officer)
    return {"whitlock": whitlock, "marlow": marlow, "ended": ended}


def names(filters):
    officer = StaffMember.objects.get(username="officer")
    return [m.person.family_name for m in search_cohort(filters, officer)]


def test_the_cohort_lists_current_members_only(cohort):
    assert names(CohortFilters()) == ["Marlow", "Whitlock"]


def test_cohort_search_matches_name_words_in_any_order_and_identifiers(cohort):
    assert names(CohortFilters(search="whitlock jordan")) == ["Whitlock"]
    assert names(CohortFilters(search="a1234bc")) == ["Whitlock"]
    assert names(CohortFilters(search="nobody")) == []


def test_cohort_filters_by_tier_lead_agency_and_key_worker(cohort, officer):
    assert names(CohortFilters(tier="flex")) == ["Marlow"]
    assert names(CohortFilters(lead_agency="police")) == ["Whitlock"]
    assert names(CohortFilters(key_worker=officer.username)) == ["Whitlock"]
    assert names(CohortFilters(tier="fixed", lead_agency="probation")) == []


def test_cohort_page_ignores_an_unknown_tier_and_paginates(client, cohort, officer, probation):
    for n in range(55):
        CohortMembershipFactory(person=PersonFactory(family_name=f"Zed{n:02d}"), lead_agency=probation)
    client.force_login(officer)
    first = client.get(reverse("people:cohort"), {"tier": "bogus"}).content.decode()
    assert "57 people in the cohort match" in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("people:cohort"), {"page": 2}).content.decode()
    assert "ZED54" in second and "ZED00" not in second


def test_person_page_for_an_unknown_person_is_not_found(client, officer):
    client.force_login(officer)
    assert (
        client.get(reverse("people:person", args=["6f1e4b1e-2a53-4b4f-9f8e-3b9e1b2c1d00"])).status_code == 404
    )


def test_key_worker_filter_lists_only_people_who_are_key_workers(client, cohort, officer):
    StaffMemberFactory(username="not-a-key-worker", agency=officer.agency)
    client.force_login(officer)
    html = client.get(reverse("people:cohort")).content.decode()
    assert 'value="officer"' in html
    assert 'value="not-a-key-worker"' not in html
