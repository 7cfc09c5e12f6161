"""A volunteer is not offered what they cannot do (issue 20): beside information withheld from
volunteers there is no "Request" link, only who can ask for it (staff at their agency)."""

import pytest
from playwright.sync_api import expect

from iomshare.partnership.models import Agency
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.browser.test_volunteer_caseload import caseload  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD, CategoryFactory, InformationItemFactory, active_protocol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_sees_why_information_is_withheld_and_that_staff_can_ask_not_a_request_link(
    page,
    caseload,  # noqa: F811
):
    probation = Agency.objects.get(code="probation")
    # Probation shares risk assessments with the charity's staff, not its volunteers: the volunteer
    # may know they exist, not read them.
    active_protocol(
        parties=["probation", "charity"],
        owner="probation",
        purposes=["volunteering_placement"],
        clauses=[
            {
                "shared_by": "probation",
                "categories": ["risk"],
                "max_sensitivity": "OFFICIAL",
                "recipients": ["charity"],
                "recipient_roles": ["practitioner"],
                "conditions": {
                    "training": ["volunteer_confidentiality"],
                    "minimum_assurance": "self_assessed",
                },
            }
        ],
    )
    InformationItemFactory(
        person=caseload["Hale"],
        holding_agency=probation,
        category=CategoryFactory(code="risk"),
        summary="RoSH",
    )

    sign_in(page, "charity.volunteer", TEST_PASSWORD)
    page.goto(f"/cohort/people/{caseload['Hale'].pk}/?purpose=volunteering_placement&declare=1")
    withheld = page.get_by_test_id("withheld")
    text = withheld.inner_text()
    assert "Probation Service North" in text
    assert "with staff, not volunteers: staff at your agency can ask for this." in text
    expect(withheld.get_by_role("link")).to_have_count(0)  # nothing offered that a volunteer cannot do
    expect(page.locator("body")).to_contain_text("Staff at your agency can ask the holding agency for it")
    assert "RoSH" not in page.content()
    screenshot(page, "volunteer-withheld-panel")
    assert_accessible(page)
