"""Probation refers a person to the charity's volunteering service with an item the protocol lets
the charity see; the charity's coordinator accepts it; probation records a conversation."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.people.models import Tier
from iomshare.records.models import Category
from iomshare.service_referrals import services
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    reseed_reference_data()  # transactional tests flush what migrations seeded
    probation = AgencyFactory(code="probation", name="Probation Service – Northshire", kind="probation")
    charity = AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)
    practitioner = StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")
    coordinator = StaffMemberFactory(username="coord", agency=charity, first_name="Cara", last_name="Dunn")
    manager = StaffMemberFactory(username="charity.ig", agency=charity, role=Role.IG_LEAD)
    for member in (practitioner, coordinator, manager):
        TrainingRecordFactory(staff_member=member, course="information_sharing")
    active_protocol(
        owner="probation",
        parties=["charity", "probation"],
        purposes=["volunteering_placement"],
        clauses=[
            {
                "shared_by": "probation",
                "categories": ["intervention"],
                "max_sensitivity": "OFFICIAL",
                "recipients": ["charity"],
                "recipient_roles": ["practitioner"],
                "conditions": {"training": ["information_sharing"], "minimum_assurance": "self_assessed"},
            }
        ],
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=jordan, lead_agency=probation, tier=Tier.FLEX)
    for code, summary in (
        ("intervention", "Completed a thinking skills programme"),
        ("risk", "Risk of harm to staff: medium"),
    ):
        InformationItemFactory(
            person=jordan,
            holding_agency=probation,
            author=practitioner,
            category=Category.objects.get(code=code),
            summary=summary,
        )
    services.offer_service(
        by=manager,
        name="Volunteering placements",
        kind="volunteering",
        purpose="volunteering_placement",
        contact=coordinator,
        description="Food banks and community gardens, with a volunteer mentor.",
    )
    return {"jordan": jordan}


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_referral_is_sent_with_an_allowed_item_refused_with_another_and_accepted(page, partnership):
    jordan = partnership["jordan"]
    sign_in(page, "po", TEST_PASSWORD)
    page.goto(f"/cohort/people/{jordan.pk}/")
    page.get_by_role("link", name="Refer to another agency's service").click()
    page.get_by_label("Volunteering placements, Second Chance Mentoring").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Why does the service fit Jordan?").fill(
        "Wants to work towards a job in catering; a placement would give structure."
    )
    page.get_by_label("Completed a thinking skills programme").check()
    page.get_by_label("Risk of harm to staff: medium").check()
    assert_accessible(page)
    screenshot(page, "service-referrals-01-choose-items")
    page.get_by_role("button", name="Send the referral").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Second Chance Mentoring may not see it for this purpose" in summary
    assert_accessible(page)
    screenshot(page, "service-referrals-02-item-refused")

    page.get_by_label("Risk of harm to staff: medium").uncheck()
    page.get_by_role("button", name="Send the referral").click()
    assert page.get_by_test_id("referral-status").inner_text() == "Sent"
    sign_out(page)

    sign_in(page, "coord", TEST_PASSWORD)
    page.goto("/services/referrals/")
    received = page.get_by_test_id("received")
    assert "Jordan Whitlock" in received.inner_text()
    assert_accessible(page)
    received.get_by_role("link").first.click()
    page.get_by_role("link", name="Show what was shared, for placement in a volunteering opportunity").click()
    assert "Completed a thinking skills programme" in page.get_by_test_id("shared-item").inner_text()
    page.get_by_label("Accept").check()
    page.get_by_label("Reason or note").fill("First session on Monday at the community garden.")
    assert_accessible(page)
    screenshot(page, "service-referrals-03-receiver-decides")
    page.get_by_role("button", name="Save the decision").click()
    assert page.get_by_test_id("referral-status").inner_text() == "Accepted"
    sign_out(page)

    sign_in(page, "po", TEST_PASSWORD)
    page.goto(f"/cohort/people/{jordan.pk}/")
    assert "Accepted" in page.get_by_test_id("service-referrals").inner_text()
    page.get_by_role("link", name="Record a conversation with another agency").click()
    page.get_by_label("Which agency").select_option("charity")
    page.get_by_label("Who you spoke with").fill("Cara Dunn, mentoring coordinator")
    page.get_by_label("In a co-located office").check()
    day = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("What was shared or agreed").fill("Agreed Cara will find a mentor who cooks.")
    assert_accessible(page)
    screenshot(page, "service-referrals-04-record-conversation")
    page.get_by_role("button", name="Record the conversation").click()
    assert "Agreed Cara will find a mentor" in page.get_by_test_id("exchange-note").inner_text()
    page.goto("/services/conversations/")
    assert "Jordan Whitlock" in page.get_by_test_id("exchanges").inner_text()
    assert_accessible(page)
    screenshot(page, "service-referrals-05-conversations")
