"""A partnership manager writes their agency's profile, lists a skill, finds a colleague by topic,
and has a practice note refused for naming a cohort member, then saved once de-personalised."""

import pytest
from playwright.sync_api import expect

from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reseed_reference_data()
    council = AgencyFactory(code="council", name="Northshire Council", kind="council")
    police = AgencyFactory(code="police", name="Northshire Police")
    StaffMemberFactory(
        username="pm", agency=council, role=Role.PARTNERSHIP_MANAGER, first_name="Priya", last_name="Shah"
    )
    colleague = StaffMemberFactory(
        username="officer",
        agency=police,
        first_name="Owen",
        last_name="Hughes",
        email="owen.hughes@police.example",
    )
    from iomshare.knowledge.services import add_skill

    add_skill(by=colleague, topic="Welsh language", detail="Fluent; can join interviews in Welsh.")
    add_skill(by=colleague, topic="Accommodation for sex offenders")
    CohortMembershipFactory(
        person=PersonFactory(given_name="Darren", family_name="Quayle"), lead_agency=police
    )


def test_profile_skills_and_a_practice_note_refused_then_saved(page, partnership):
    sign_in(page, "pm", TEST_PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Partners", exact=True).click()
    expect(page.get_by_test_id("organisations").get_by_role("row")).to_have_count(3)
    page.get_by_role("link", name="Northshire Council").click()
    page.get_by_role("link", name="Write the profile").click()
    page.get_by_label("Services offered").fill(
        "Housing advice, tenancy sustainment and homelessness prevention."
    )
    page.get_by_label("Eligibility").fill("Adults living in Northshire, or with a local connection.")
    page.get_by_label("What you can offer the cohort").fill(
        "A named housing officer for every IOM cohort member on release."
    )
    page.get_by_label("Values and ways of working").fill(
        "Housing first; we do not close a case for a missed appointment."
    )
    page.get_by_label("Team mailbox").fill("iom.housing@council.example")
    page.get_by_label("Team phone number").fill("01632 960123")
    page.get_by_role("button", name="Save and mark as reviewed").click()
    expect(page.get_by_test_id("profile-status")).to_contain_text("Complete")
    expect(page.get_by_test_id("assurance")).to_contain_text("until")
    assert_accessible(page)
    screenshot(page, "knowledge-01-organisation-profile")

    page.get_by_role("link", name="Skills directory").click()
    page.get_by_label("What you can be asked about").fill("Gambling harm")
    page.get_by_role("button", name="Add to my entry").click()
    expect(page.get_by_test_id("own-skills")).to_contain_text("Gambling harm")
    page.get_by_label("Topic", exact=True).fill("welsh")
    page.get_by_label("Agency").select_option("police")
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_test_id("skills").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Owen Hughes")
    assert_accessible(page)
    screenshot(page, "knowledge-02-skills-directory")

    page.get_by_role("link", name="Practice notes").click()
    page.get_by_role("link", name="Write a practice note").click()
    page.get_by_label("Title").fill("Tenancy agreed before release")
    page.get_by_label("The lesson").fill(
        "Darren Quayle kept his tenancy because the housing officer met him in prison two weeks before release."
    )
    page.get_by_label("Accommodation").check()
    page.get_by_label("A case").check()
    page.get_by_role("button", name="Share the note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "“Darren Quayle” is the name of a person the partnership knows"
    )
    assert_accessible(page)
    screenshot(page, "knowledge-03-practice-note-refused")

    page.get_by_label("The lesson").fill(
        "A man in his thirties kept his tenancy because the housing officer met him in prison two weeks before release."
    )
    page.get_by_role("button", name="Share the note").click()
    expect(page.get_by_test_id("note")).to_have_count(1)
    expect(page.get_by_test_id("note")).to_contain_text("A man in his thirties")
    expect(page.get_by_test_id("used")).to_have_text("0 times")
    assert_accessible(page)
    screenshot(page, "knowledge-04-practice-note-saved")
