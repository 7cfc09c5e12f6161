"""A volunteer sees the people allocated to them, not the roster, and nothing another agency does
not share with trained volunteers (issue 12; people.visibility)."""

import pytest

from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def caseload(db):
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    charity = AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)
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
    volunteer = StaffMemberFactory(
        username="charity.volunteer",
        agency=charity,
        role=Role.VOLUNTEER,
        is_volunteer=True,
        first_name="Val",
        last_name="Okafor",
    )
    TrainingRecordFactory(staff_member=volunteer, course="volunteer_confidentiality")
    people = {}
    for given, family, allocated in (
        ("Tamsin", "Hale", True),
        ("Rufus", "Ardley", False),
        ("Corin", "Blake", False),
    ):
        person = PersonFactory(given_name=given, family_name=family)
        membership = CohortMembershipFactory(person=person, lead_agency=probation)
        AgencyIdentifierFactory(person=person, agency=police, scheme="local", value=f"POLICE-{family}")
        AgencyIdentifierFactory(person=person, agency=probation, scheme="local", value=f"PROBATION-{family}")
        if allocated:
            membership.key_workers.add(volunteer)
        people[family] = person
    return people


def test_a_volunteer_sees_only_their_caseload_and_what_is_shared_with_trained_volunteers(page, caseload):
    sign_in(page, "charity.volunteer", TEST_PASSWORD)
    page.goto("/cohort/")
    listed = page.locator("table.govuk-table").inner_text()
    assert "HALE, Tamsin" in listed
    assert "ARDLEY" not in listed and "BLAKE" not in listed
    assert "1 person in the cohort match" in page.get_by_test_id("result-count").inner_text()
    screenshot(page, "volunteer-caseload")
    assert_accessible(page)

    page.get_by_role("link", name="HALE, Tamsin").click()
    page.wait_for_url(f"**/cohort/people/{caseload['Hale'].pk}/")
    details = page.locator("dl.govuk-summary-list").last.inner_text()  # the Details list, after the summary
    assert "PROBATION-Hale" in details  # probation shares with trained volunteers
    assert "POLICE-Hale" not in page.content()  # the police share nothing with the charity
    screenshot(page, "volunteer-person-page")
    assert_accessible(page)

    page.goto(f"/cohort/people/{caseload['Ardley'].pk}/")
    assert "Ardley" not in page.content()
