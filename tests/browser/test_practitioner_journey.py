"""The practitioner's journey: sign in, search the cohort, open a person, record an item."""

import pytest
from playwright.sync_api import expect

from iomshare.people.models import Tier
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    CategoryFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db):
    reseed_reference_data()  # transactional tests flush the seeded categories
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    membership = CohortMembershipFactory(person=jordan, lead_agency=police, tier=Tier.FIXED)
    membership.key_workers.add(officer)
    AgencyIdentifierFactory(person=jordan, agency=police, scheme="pnc", value="2012/0012345K")
    for n in range(12):
        other = PersonFactory(given_name="Casey", family_name=f"Marlow{n}")
        CohortMembershipFactory(person=other, lead_agency=police, tier=Tier.FLEX)
    # Led by an agency that shares nothing with the police here: the officer may not know they exist.
    for n in range(3):
        unknown = PersonFactory(given_name="Robin", family_name=f"Unshared{n}")
        CohortMembershipFactory(person=unknown, lead_agency=probation, tier=Tier.FLEX)
    InformationItemFactory(
        person=jordan,
        holding_agency=police,
        author=officer,
        category=CategoryFactory(code="warning_marker"),
        summary="Warning marker: weapons (knife) recorded after arrest",
    )
    InformationItemFactory(
        person=jordan, holding_agency=probation, summary="Probation-only accommodation note"
    )
    return {"officer": officer, "jordan": jordan}


def test_practitioner_signs_in_searches_opens_a_person_and_records_an_item(page, partnership):
    page.goto("/")
    assert_accessible(page)
    screenshot(page, "01-sign-in")

    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "Enter your username" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "02-sign-in-errors")

    sign_in(page, "officer", TEST_PASSWORD)
    assert page.get_by_test_id("signed-in-as").inner_text() == "Priya Shah, Northshire Police"
    assert page.get_by_role("heading", level=1).inner_text() == "My caseload"
    assert "WHITLOCK, Jordan" in page.get_by_test_id("caseload").inner_text()
    page.get_by_role("link", name="Cohort", exact=True).click()
    assert "13 people" in page.get_by_test_id("result-count").inner_text()
    assert "Unshared" not in page.content()
    assert_accessible(page)
    screenshot(page, "03-cohort")

    page.get_by_label("Name or identifier").fill("whitlock")
    page.get_by_label("Tier").select_option("fixed")
    page.get_by_role("button", name="Search").click()
    assert "1 person" in page.get_by_test_id("result-count").inner_text()
    screenshot(page, "04-cohort-search")

    page.get_by_role("link", name="WHITLOCK, Jordan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jordan Whitlock"
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Warning marker: weapons" in timeline
    assert "Probation-only" not in page.content()
    assert_accessible(page)
    screenshot(page, "05-person")

    page.get_by_role("link", name="Record information").click()
    page.get_by_role("button", name="Record information").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Select the kind of information" in summary.inner_text()
    assert "Enter a summary of the information" in summary.inner_text()
    assert_accessible(page)
    screenshot(page, "06-record-item-errors")

    page.get_by_label("Kind of information").select_option(label="Accommodation")
    page.get_by_label("OFFICIAL", exact=True).check()
    page.get_by_label("Summary").fill("Moved into supported housing at Brook House")
    for prefix, (d, m, y) in {"valid_from": ("1", "9", "2026"), "review_by": ("1", "9", "2027")}.items():
        page.locator(f"#{prefix}-day").fill(d)
        page.locator(f"#{prefix}-month").fill(m)
        page.locator(f"#{prefix}-year").fill(y)
    page.get_by_role("button", name="Record information").click()
    assert "The information has been recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert "Moved into supported housing" in page.get_by_test_id("timeline").inner_text()
    assert_accessible(page)
    screenshot(page, "07-item-recorded")

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
