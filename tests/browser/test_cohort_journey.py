"""Running the cohort in the browser: refer, the panel selects, key workers, caseload, person summary."""

import pytest
from playwright.sync_api import expect

from iomshare.partnership.models import Role
from iomshare.people.models import CohortMembership
from iomshare.records.models import Category
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Three burglaries in six months and released last week with no fixed address."


@pytest.fixture
def partnership(db):
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    officer = StaffMemberFactory(
        username="officer",
        agency=police,
        first_name="Priya",
        last_name="Shah",
        email="priya.shah@police.example",
    )
    StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")
    StaffMemberFactory(
        username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER, first_name="Mo", last_name="Khan"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    InformationItemFactory(
        person=jordan,
        holding_agency=police,
        author=officer,
        category=Category.objects.get(code="warning_marker"),
        summary="Weapons: carried a knife on arrest",
    )
    InformationItemFactory(
        person=jordan,
        holding_agency=police,
        author=officer,
        category=Category.objects.get(code="contact"),
        summary="Home visit: engaged well, talked about housing",
    )
    return {"jordan": jordan}


def test_refer_select_allocate_then_the_caseload_and_the_person_summary(
    page, partnership, browser, live_server
):
    jordan = partnership["jordan"]
    sign_in(page, "officer", TEST_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "My caseload"
    page.goto(f"/cohort/people/{jordan.pk}/")
    page.get_by_role("link", name="Refer for the IOM cohort").click()
    page.get_by_role("button", name="Continue").click()
    assert "Choose how the person came to your attention" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "cohort-01-refer-errors")
    page.get_by_label("Release from custody").check()
    page.get_by_label("Why should Jordan be in the cohort?").fill(REASON)
    page.get_by_role("button", name="Continue").click()
    assert "Release from custody" in page.get_by_test_id("check-answers").inner_text()
    assert_accessible(page)
    screenshot(page, "cohort-02-refer-check")
    page.get_by_role("button", name="Send the referral").click()
    assert "Awaiting the selection panel" in page.get_by_test_id("referral").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "manager", TEST_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Cohort dashboard"
    assert_accessible(page)
    screenshot(page, "cohort-03-dashboard")
    page.get_by_role("link", name="Referrals waiting for the selection panel").click()
    page.get_by_test_id("referrals").get_by_role("link").first.click()
    page.get_by_label("Accept onto the cohort").check()
    page.get_by_label("Fixed").check()
    page.get_by_label("Lead agency").select_option("probation")
    assert_accessible(page)
    screenshot(page, "cohort-04-panel-decision")
    page.get_by_role("button", name="Continue").click()
    assert "Probation Service North" in page.get_by_test_id("check-answers").inner_text()
    screenshot(page, "cohort-05-panel-check")
    page.get_by_role("button", name="Accept onto the cohort").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jordan Whitlock"
    page.get_by_label("Assign a key worker").select_option("officer")
    page.get_by_role("button", name="Assign key worker").click()
    page.get_by_label("Assign a key worker").select_option("po")
    page.get_by_role("button", name="Assign key worker").click()
    workers = page.get_by_test_id("key-workers").inner_text()
    assert "Priya Shah, Northshire Police" in workers and "Owen Jones, Probation Service North" in workers
    assert_accessible(page)
    screenshot(page, "cohort-06-key-workers")
    assert CohortMembership.objects.get(person=jordan).key_workers.count() == 2
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "officer", TEST_PASSWORD)
    assert "WHITLOCK, Jordan" in page.get_by_test_id("caseload").inner_text()
    assert_accessible(page)
    screenshot(page, "cohort-07-caseload")
    page.get_by_role("link", name="WHITLOCK, Jordan").click()
    summary = page.get_by_test_id("person-summary").inner_text()
    assert "Weapons: carried a knife on arrest" in summary and "Home visit" in summary
    assert "Fixed" in summary and "priya.shah@police.example" in summary
    assert_accessible(page)
    screenshot(page, "cohort-08-person-summary-1280")

    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    small = phone.new_page()
    sign_in(small, "officer", TEST_PASSWORD)
    small.goto(f"/cohort/people/{jordan.pk}/")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    expect(small.get_by_test_id("person-summary")).to_be_visible()
    assert_accessible(small)
    screenshot(small, "cohort-09-person-summary-390")
    phone.close()
