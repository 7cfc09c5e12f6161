"""Purpose first: a practitioner declares why, then sees the full picture and what is withheld."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.partnership.models import Role, VettingLevel
from iomshare.people.models import Tier
from iomshare.records.models import Category, Sensitivity
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    ClauseDocumentFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db):
    reseed_reference_data()  # transactional tests flush what migrations seeded
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    reader = StaffMemberFactory(
        username="probation.reader",
        agency=probation,
        role=Role.PRACTITIONER,
        first_name="Owen",
        last_name="Jones",
        vetting_level=VettingLevel.NPPV2,
        vetting_expires_on=timezone.localdate() + dt.timedelta(days=400),
    )
    train(reader, "information_sharing")
    protocol = active_protocol(
        ProtocolDocumentFactory(
            title="Northshire IOM core protocol",
            clauses=[ClauseDocumentFactory(categories=["offending"], max_sensitivity="OFFICIAL")],
        )
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=jordan, lead_agency=police, tier=Tier.FIXED)
    offending = Category.objects.get(code="offending")
    InformationItemFactory(
        person=jordan,
        holding_agency=probation,
        category=Category.objects.get(code="contact"),
        summary="Probation appointment attended",
    )
    InformationItemFactory(
        person=jordan,
        holding_agency=police,
        category=offending,
        summary="Charged with theft from a shop, Northtown",
    )
    for _ in range(2):
        InformationItemFactory(
            person=jordan,
            holding_agency=police,
            category=offending,
            sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
            summary="Sensitive police offending detail",
        )
    return {"jordan": jordan, "protocol": protocol}


def test_a_practitioner_declares_a_purpose_and_sees_the_shared_picture_and_what_is_withheld(
    page, partnership
):
    sign_in(page, "probation.reader", TEST_PASSWORD)
    page.goto(f"/cohort/people/{partnership['jordan'].pk}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Probation appointment attended" in timeline
    assert "Charged with theft" not in page.content()  # another agency's: not before a purpose
    expect(page.get_by_test_id("purpose-chooser")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "purpose-01-chooser")

    page.get_by_role("button", name="Show information for this purpose").click()
    assert (
        "Choose why you need other agencies' information" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
    screenshot(page, "purpose-02-error")

    page.get_by_label("Risk management").check()
    page.get_by_role("button", name="Show information for this purpose").click()
    assert "You are looking for risk management" in page.get_by_test_id("purpose").inner_text()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Charged with theft from a shop" in timeline
    assert "Northshire IOM core protocol, clause 1" in timeline
    assert "Sensitive police offending detail" not in page.content()
    withheld = page.get_by_test_id("withheld").inner_text()
    assert "Northshire Police" in withheld and "Offending" in withheld and "2" in withheld
    assert "more sensitive than the protocols share" in withheld
    expect(page.get_by_role("link", name="Request offending history from Northshire Police")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "purpose-03-picture-and-withheld")
