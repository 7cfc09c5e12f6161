"""Issue 12, points 2 to 5: the surfaces around the door ask the door's "may know" rule."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.people.access_lists import add_to_access_list
from iomshare.people.models import AccessListKind
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    access_review_date,
    active_protocol,
)

pytestmark = pytest.mark.django_db


def _sign_in(client, member):
    assert client.login(username=member.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def hidden(police, officer):
    """A cohort member led by the police, with the officer on his exclusion list."""
    person = PersonFactory(given_name="Quillon", family_name="Ravensworth")
    CohortMembershipFactory(person=person, lead_agency=police)
    lead = StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)
    add_to_access_list(
        person, AccessListKind.EXCLUSION, officer, by=lead, reason="Neighbour", review_on=access_review_date()
    )
    return person


def test_an_excluded_practitioner_finds_no_trace_of_the_person_in_the_cohort_list_or_its_search(
    client, officer, hidden
):
    _sign_in(client, officer)
    for url in (
        "/cohort/",
        "/cohort/?q=Ravensworth",
        f"/cohort/?lead_agency={hidden.memberships.get().lead_agency.code}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Quillon" not in response.content, url  # the search box echoes only what was typed
        assert str(hidden.pk).encode() not in response.content, url


def test_an_excluded_ig_lead_finds_no_trace_of_the_person_in_ledger_and_identity_tools(
    client, police, hidden
):
    lead = StaffMemberFactory(username="police.ig2", agency=police, role=Role.IG_LEAD)
    other = StaffMemberFactory(username="police.ig3", agency=police, role=Role.IG_LEAD)
    add_to_access_list(
        hidden, AccessListKind.EXCLUSION, lead, by=other, reason="Relative", review_on=access_review_date()
    )
    _sign_in(client, lead)
    finder = client.get("/ledger/?q=Ravensworth")
    assert b"Quillon" not in finder.content and str(hidden.pk).encode() not in finder.content
    for url in (
        f"/ledger/person/{hidden.pk}/",
        f"/ledger/person/{hidden.pk}/csv",
        f"/identity/people/{hidden.pk}/history/",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"Quillon" not in response.content, url
    _token, secret = issue_token(for_staff=lead, name="ig tooling", by=None)
    api = client.get(
        f"/api/v1/ledger/persons/{hidden.pk}/entries", headers={"Authorization": f"Bearer {secret}"}
    )
    assert api.status_code == 404
    assert b"Quillon" not in api.content


def test_the_web_person_page_answers_404_for_a_person_the_viewer_may_not_know_as_the_api_does(
    client, officer, probation
):
    """Outside the cohort and unknown to the police: probation holds his only identifier."""
    stranger = PersonFactory(given_name="Ysolde", family_name="Marchetti")
    AgencyIdentifierFactory(person=stranger, agency=probation, value="PROBONLY-1")
    _sign_in(client, officer)
    for url in (
        f"/cohort/people/{stranger.pk}/",
        f"/exchange/people/{stranger.pk}/export/",
        f"/records/people/{stranger.pk}/record/",
        f"/forms/people/{stranger.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Marchetti" not in response.content, url
    _token, secret = issue_token(for_staff=officer, name="police case system", by=None)
    assert (
        client.get(
            f"/api/v1/persons/{stranger.pk}", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 404
    )


@pytest.fixture
def charity(db):
    return AgencyFactory(code="charity", name="Second Chance", kind="vcs", is_statutory=False)


@pytest.fixture
def volunteer_partnership(police, probation, charity):
    """Probation shares interventions with trained charity volunteers; two cohort members, one
    allocated to the volunteer, each with police and probation identifiers."""
    active_protocol(
        parties=["police", "probation", "charity"],
        owner="probation",
        purposes=["volunteering_placement"],
        clauses=[
            {
                "shared_by": "probation",
                "categories": ["intervention"],
                "max_sensitivity": "OFFICIAL",
                "recipients": ["charity"],
                "recipient_roles": [],
                "conditions": {
                    "training": ["volunteer_confidentiality"],
                    "volunteers_may_receive": True,
                    "minimum_assurance": "self_assessed",
                },
            }
        ],
    )
    volunteer = StaffMemberFactory(username="vol", agency=charity, role=Role.VOLUNTEER, is_volunteer=True)
    allocated = PersonFactory(given_name="Tamsin", family_name="Allocatedperson")
    roster = PersonFactory(given_name="Rufus", family_name="Rosteronly")
    for n, person in enumerate((allocated, roster)):
        membership = CohortMembershipFactory(person=person, lead_agency=probation)
        AgencyIdentifierFactory(person=person, agency=police, value=f"POLICEID-{n}")
        AgencyIdentifierFactory(person=person, agency=probation, value=f"PROBID-{n}")
        if person is allocated:
            membership.key_workers.add(volunteer)
    return volunteer, allocated, roster


def test_a_volunteer_sees_only_the_people_allocated_to_them_not_the_roster(client, volunteer_partnership):
    volunteer, allocated, roster = volunteer_partnership
    TrainingRecordFactory(staff_member=volunteer, course="volunteer_confidentiality")
    _sign_in(client, volunteer)
    cohort = client.get("/cohort/")
    assert b"Allocatedperson" in cohort.content.replace(b"ALLOCATEDPERSON", b"Allocatedperson")
    assert b"Rosteronly" not in cohort.content and b"ROSTERONLY" not in cohort.content
    assert client.get(f"/cohort/people/{roster.pk}/").status_code == 404
    page = client.get(f"/cohort/people/{allocated.pk}/")
    assert page.status_code == 200
    assert b"PROBID-0" in page.content  # probation shares with trained volunteers
    assert b"POLICEID-0" not in page.content  # the police share nothing with the charity


def test_a_volunteer_whose_training_expired_sees_nothing_from_another_agency(client, volunteer_partnership):
    volunteer, allocated, _roster = volunteer_partnership
    TrainingRecordFactory(
        staff_member=volunteer,
        course="volunteer_confidentiality",
        completed_on=timezone.localdate() - dt.timedelta(days=400),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )
    _sign_in(client, volunteer)
    cohort = client.get("/cohort/").content
    assert b"ROSTERONLY" not in cohort and b"Rosteronly" not in cohort
    page = client.get(f"/cohort/people/{allocated.pk}/").content
    for marker in (b"PROBID-0", b"POLICEID-0", b"Probation Service North", b"Northshire Police"):
        assert marker not in page, marker
    # Their own allocation is no secret to them, but it is not "Not in the cohort" either.
    assert b"Not shared with you" in page and b"Not in the cohort" not in page
