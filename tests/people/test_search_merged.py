"""Search never offers a person merged away into another: it leads to the person they live on in."""

import pytest

from iomshare.identity import services as identity
from iomshare.identity.models import MergeReason
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.people.models import IdentifierScheme
from iomshare.people.selectors import CohortFilters, search_cohort, search_people
from tests.factories import (
    AgencyFactory,
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)


@pytest.fixture
def police(db):
    return AgencyFactory(code="police", name="Northshire Police")


@pytest.fixture
def reviewer(police):
    return StaffMemberFactory(username="iglead", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def people(police):
    """Robert Ashworth in the cohort, and 'Bobby Ashwerth', a second record of him, not yet merged."""
    survivor = PersonFactory(given_name="Robert", family_name="Ashworth")
    absorbed = PersonFactory(given_name="Bobby", family_name="Ashwerth")
    CohortMembershipFactory(person=survivor, lead_agency=police)
    AgencyIdentifierFactory(person=absorbed, agency=police, scheme=IdentifierScheme.LOCAL, value="POL-77")
    return survivor, absorbed


def _merge(survivor, absorbed, reviewer):
    return identity.merge_people(
        survivor, absorbed, reason=MergeReason.REVIEW, by=reviewer, rationale="Same PNC on both"
    )


def test_before_a_merge_each_record_is_found_by_its_own_name(people):
    survivor, absorbed = people
    assert list(search_people("Bobby")) == [absorbed]
    assert list(search_people("Robert Ashworth")) == [survivor]


def test_a_name_only_the_merged_away_person_carries_finds_the_survivor_instead(people, reviewer):
    survivor, absorbed = people
    _merge(survivor, absorbed, reviewer)
    assert list(search_people("Bobby Ashwerth")) == [survivor]
    assert list(search_people("Ashw")) == [survivor]  # both match the name: the survivor once
    assert list(search_people("POL-77")) == [survivor]  # the identifier moved with the records


def test_the_cohort_search_lists_the_survivors_membership_for_the_merged_away_name(people, reviewer):
    survivor, absorbed = people
    _merge(survivor, absorbed, reviewer)
    memberships = list(search_cohort(CohortFilters(search="Bobby"), reviewer))
    assert [membership.person for membership in memberships] == [survivor]


def test_after_an_unmerge_the_person_is_found_again_under_their_own_name(people, reviewer):
    survivor, absorbed = people
    merge = _merge(survivor, absorbed, reviewer)
    identity.unmerge(merge, by=reviewer, rationale="Different dates of birth on a second look")
    assert list(search_people("Bobby")) == [absorbed]
    assert list(search_people("POL-77")) == [absorbed]


def test_a_merge_of_a_merge_leads_to_the_last_survivor(people, reviewer):
    survivor, absorbed = people
    _merge(survivor, absorbed, reviewer)
    final = PersonFactory(given_name="Rob", family_name="Ashworth-Lee")
    _merge(final, survivor, reviewer)
    assert list(search_people("Bobby")) == [final]
    assert list(search_people("Robert")) == [final]
    assert [m.person for m in search_cohort(CohortFilters(search="Bobby"), reviewer)] == [final]


def test_the_api_search_returns_the_survivor_not_the_merged_away_person(client, people, reviewer, police):
    survivor, absorbed = people
    _merge(survivor, absorbed, reviewer)
    _token, secret = issue_token(
        for_staff=StaffMemberFactory(username="pnd", agency=police, role=Role.PRACTITIONER), name="t", by=None
    )
    response = client.get("/api/v1/persons", {"q": "Bobby"}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    assert [result["id"] for result in body["results"]] == [str(survivor.pk)]
