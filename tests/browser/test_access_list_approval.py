"""A charity's IG lead asks to restrict a police-led person to one charity worker; nothing changes
until the police, the lead agency, approve; then the restriction is in force and the key worker told."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.partnership.models import Role
from iomshare.people.access_lists import may_see_person
from tests.browser.conftest import (
    assert_accessible,
    open_notification,
    reseed_reference_data,
    screenshot,
    sign_in,
)
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    charity = AgencyFactory(code="charity", name="Second Chance Trust", kind="vcs", is_statutory=False)
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    StaffMemberFactory(
        username="charity.ig", agency=charity, role=Role.IG_LEAD, first_name="Cal", last_name="Moss"
    )
    worker = StaffMemberFactory(username="charity.worker", agency=charity, first_name="Kim", last_name="Lowe")
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    person = PersonFactory(given_name="Jordan", family_name="Whitlock")
    membership = CohortMembershipFactory(person=person, lead_agency=police)
    membership.key_workers.add(officer)
    # The charity supports him (people.visibility): its pages may name him.
    AgencyIdentifierFactory(person=person, agency=charity, value="SCT-1")
    return {"person": person, "officer": officer, "worker": worker}


def test_a_restriction_asked_for_by_another_agency_waits_for_the_lead_agency(page, partnership):
    person, officer = partnership["person"], partnership["officer"]
    sign_in(page, "charity.ig", TEST_PASSWORD)
    page.goto(f"/cohort/people/{person.pk}/access-lists/")
    assert (
        "has no effect until its information-governance lead approves it"
        in page.get_by_test_id("who-decides").inner_text()
    )
    page.get_by_label("Restriction list: the only staff who may see this person").check()
    page.get_by_label("Member of staff").select_option("charity.worker")
    page.get_by_label("Reason").fill("Protected witness in a case the charity supports.")
    page.get_by_role("button", name="Add to the list").click()
    assert "Enter the review date" in page.locator(".govuk-error-summary").inner_text()
    assert "Enter the date the entry must be reviewed" not in page.content()
    screenshot(page, "access-approval-01-review-date-missing")
    assert_accessible(page)
    review = timezone.localdate() + dt.timedelta(days=90)
    page.locator("#review_on-day").fill(str(review.day))
    page.locator("#review_on-month").fill(str(review.month))
    page.locator("#review_on-year").fill(str(review.year))
    page.get_by_role("button", name="Add to the list").click()
    assert "It has no effect until they approve it" in page.locator(".govuk-notification-banner").inner_text()
    assert "Kim Lowe" in page.get_by_test_id("pending").inner_text()
    screenshot(page, "access-approval-02-waiting")
    assert_accessible(page)
    assert may_see_person(officer, person.pk)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "police.ig", TEST_PASSWORD)
    open_notification(page, "It has no effect until your agency approves it")
    expect(page.locator("body")).to_contain_text("Second Chance Trust asks to put a member of staff")
    page.get_by_label("Approve: the entry is in force from now").check()
    page.get_by_role("button", name="Save the decision").click()
    assert "Enter the reason for this change" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Reason").fill("Agreed at the case conference on safeguarding grounds.")
    screenshot(page, "access-approval-03-decide")
    page.get_by_role("button", name="Save the decision").click()
    assert "approved: it is in force now" in page.locator(".govuk-notification-banner").inner_text()
    restrictions = page.get_by_test_id("restrictions").inner_text()
    assert "Kim Lowe" in restrictions and "approved by Ida Grant" in restrictions
    screenshot(page, "access-approval-04-in-force")
    assert_accessible(page)
    assert not may_see_person(officer, person.pk)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "officer", TEST_PASSWORD)
    page.goto("/notifications/")
    assert "hides a person you worked with" in page.get_by_test_id("notifications").inner_text()
    assert "Whitlock" not in page.get_by_test_id("notifications").inner_text()
