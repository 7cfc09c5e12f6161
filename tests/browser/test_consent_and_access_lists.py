"""A practitioner records a person's consent; an IG lead puts a colleague on the person's exclusion list."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role, VettingLevel
from iomshare.people.access_lists import may_see_person
from iomshare.protocols.consent import consented_sources
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db):
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    health = AgencyFactory(code="health", name="Northshire Recovery Service (NHS)", kind="health")
    vetted = {
        "vetting_level": VettingLevel.NPPV2,
        "vetting_expires_on": timezone.localdate() + dt.timedelta(days=900),
    }
    worker = StaffMemberFactory(
        username="health.practitioner", agency=health, first_name="Rosa", last_name="Khan", **vetted
    )
    lead = StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant", **vetted
    )
    officer = StaffMemberFactory(
        username="officer", agency=police, first_name="Priya", last_name="Shah", **vetted
    )
    person = PersonFactory(given_name="Jordan", family_name="Whitlock")
    # Known to the health service and the police (people.visibility): their pages name him.
    AgencyIdentifierFactory(person=person, agency=health, value="RECOVERY-1")
    AgencyIdentifierFactory(person=person, agency=police, value="POLICE-1")
    return {
        "police": police,
        "health": health,
        "worker": worker,
        "lead": lead,
        "officer": officer,
        "person": person,
    }


def test_recording_consent_and_managing_an_access_list(page, partnership):
    person, health = partnership["person"], partnership["health"]
    sign_in(page, "health.practitioner", TEST_PASSWORD)
    page.goto(f"/protocols/consent/{person.pk}/")
    assert "No consent is recorded for Jordan Whitlock" in page.get_by_test_id("no-consents").inner_text()
    assert_accessible(page)

    # A first try without a date: the error summary says what is missing, and nothing is recorded.
    page.get_by_label("Which agency may share information about Jordan Whitlock?").select_option("health")
    page.get_by_label("Only the purposes chosen below").check()
    page.get_by_label("Health pathway").check()
    page.get_by_label("Signed consent form").check()
    page.get_by_role("button", name="Record consent").click()
    assert "Enter the date consent was given" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Health pathway").is_checked()
    screenshot(page, "consent-01-error")
    assert_accessible(page)

    today = timezone.localdate()
    page.locator("#given_on-day").fill(str(today.day))
    page.locator("#given_on-month").fill(str(today.month))
    page.locator("#given_on-year").fill(str(today.year))
    page.get_by_role("button", name="Record consent").click()
    assert (
        "Consent to Northshire Recovery Service (NHS) sharing is recorded"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    consents = page.get_by_test_id("consents").inner_text()
    assert "Health pathway" in consents and "In force" in consents
    screenshot(page, "consent-02-recorded")
    assert_accessible(page)
    assert consented_sources(person.pk, "health") == {health.pk}

    page.get_by_role("link", name="Withdraw consent to Northshire Recovery Service (NHS) sharing").click()
    assert "cannot be undone" in page.locator(".govuk-warning-text").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw consent").click()
    assert "Withdrawn" in page.get_by_test_id("consents").inner_text()
    assert consented_sources(person.pk, "health") == set()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto(f"/cohort/people/{person.pk}/access-lists/")
    assert_accessible(page)
    page.get_by_label("Exclusion list: must not see this person").check()
    page.get_by_label("Member of staff").select_option("officer")
    page.get_by_role("button", name="Add to the list").click()
    assert "Enter the reason for this change" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Reason").fill("Lives on the same street as the person's family.")
    review = timezone.localdate() + dt.timedelta(days=180)
    page.locator("#review_on-day").fill(str(review.day))
    page.locator("#review_on-month").fill(str(review.month))
    page.locator("#review_on-year").fill(str(review.year))
    page.get_by_role("button", name="Add to the list").click()
    exclusions = page.get_by_test_id("exclusions").inner_text()
    assert "Priya Shah" in exclusions and "same street" in exclusions
    screenshot(page, "access-lists-01-excluded")
    assert_accessible(page)
    assert not may_see_person(partnership["officer"], person.pk)

    page.get_by_role("link", name="Take off Priya Shah from the exclusion list").click()
    page.get_by_label("Why take them off?").fill("Moved away from the area.")
    page.get_by_role("button", name="Take off the list").click()
    assert "Nobody is excluded" in page.get_by_test_id("no-exclusions").inner_text()
    page.get_by_text("Earlier entries (1)").click()
    assert "Moved away from the area" in page.locator(".govuk-details").inner_text()
    screenshot(page, "access-lists-02-history")
    assert may_see_person(partnership["officer"], person.pk)
