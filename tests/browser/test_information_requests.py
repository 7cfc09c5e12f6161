"""A practitioner asks police for withheld information; the police IG lead approves one item, refuses
another request, and reads the gap report."""

import pytest
from playwright.sync_api import expect

from iomshare.information_requests import services
from iomshare.partnership.models import Role
from iomshare.people.models import Tier
from iomshare.records.models import Category
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JUSTIFICATION = (
    "Planning a home visit on Thursday: we need to know of any intelligence about weapons at the address."
)


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    reseed_reference_data()  # transactional tests flush what migrations seeded
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service – Northshire", kind="probation")
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    practitioner = StaffMemberFactory(
        username="po", agency=probation, first_name="Owen", last_name="Jones", job_title="Probation officer"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=jordan, lead_agency=probation, tier=Tier.FIXED)
    intelligence = Category.objects.get(code="intelligence")
    for summary in ("Seen carrying a knife near the address", "Associates named in a drugs supply line"):
        InformationItemFactory(
            person=jordan, holding_agency=police, author=officer, category=intelligence, summary=summary
        )
    return {"jordan": jordan, "practitioner": practitioner}


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_request_is_made_approved_for_one_item_and_shows_as_approved(page, partnership):
    jordan = partnership["jordan"]
    sign_in(page, "po", TEST_PASSWORD)
    page.goto(
        f"/requests/new/?person={jordan.pk}&agency=police&category=intelligence&purpose=risk_management"
    )
    assert "No protocol in force covers risk management" in page.get_by_test_id("decision-says").inner_text()
    assert page.get_by_label("Agency that holds it").input_value() == "police"
    assert page.get_by_label("Kind of information").input_value() == "intelligence"
    assert page.get_by_label("Purpose").input_value() == "risk_management"
    assert_accessible(page)
    screenshot(page, "requests-01-ask")

    page.get_by_label("Why you need it").fill("For risk.")
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Choose the law that allows the disclosure" in summary and "at least 25 characters" in summary
    assert_accessible(page)
    screenshot(page, "requests-02-ask-errors")

    page.get_by_label("Legal gateway").select_option("cda-1998-s115")
    page.get_by_label("Why you need it").fill(JUSTIFICATION)
    page.get_by_label("Urgent: within 2 working days").check()
    page.get_by_role("button", name="Send request").click()
    assert "is sent to Northshire Police's information-governance lead" in page.inner_text("main")
    assert page.get_by_test_id("status").inner_text() == "Awaiting decision"
    sign_out(page)

    sign_in(page, "police.ig", TEST_PASSWORD)
    page.get_by_role("link", name="Governance").click()
    assert "Requests for information to decide 1" in page.get_by_test_id("waiting").inner_text()
    assert_accessible(page)
    screenshot(page, "requests-02b-governance")
    page.get_by_role("link", name="Requests for information to decide").click()
    assert "Owen Jones, Probation Service – Northshire" in page.get_by_test_id("queue").inner_text()
    assert_accessible(page)
    screenshot(page, "requests-03-queue")
    page.get_by_test_id("queue").get_by_role("link").first.click()
    assert JUSTIFICATION in page.get_by_test_id("justification").inner_text()
    page.get_by_role("button", name="Approve and disclose").click()  # nothing chosen yet
    assert "Select at least one item to disclose" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Seen carrying a knife near the address").check()
    assert_accessible(page)
    screenshot(page, "requests-04-decide")
    page.get_by_role("button", name="Approve and disclose").click()
    assert "The request is approved" in page.inner_text("main")
    assert "1 item, for risk management" in page.get_by_test_id("approved-count").inner_text()
    sign_out(page)

    sign_in(page, "po", TEST_PASSWORD)
    page.goto("/requests/")
    row = page.get_by_test_id("my-requests").inner_text()
    assert "Approved" in row and "Police intelligence from Northshire Police" in row
    assert_accessible(page)
    screenshot(page, "requests-05-my-requests-approved")

    # The one-off disclosure passes the same door: the approved item, and only it, is on the person page.
    page.goto(f"/cohort/people/{jordan.pk}/?purpose=risk_management")
    assert "Seen carrying a knife near the address" in page.get_by_test_id("timeline").inner_text()
    assert "Associates named in a drugs supply line" not in page.content()
    assert "One-off disclosure, request" in page.locator("[data-basis=one_off]").inner_text()
    assert_accessible(page)
    screenshot(page, "requests-06-person-page-one-off")


def test_a_refused_request_reaches_the_requester_and_the_gap_report(page, partnership):
    jordan, practitioner = partnership["jordan"], partnership["practitioner"]
    services.make_request(
        by=practitioner,
        person=jordan,
        holding_agency="police",
        category="custody",
        purpose="accommodation",
        legal_gateway="uk-gdpr-art-6-1-e",
        justification="Housing panel asks whether any recent custody would affect the tenancy offer.",
    )
    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto("/requests/to-my-agency/")
    page.get_by_test_id("queue").get_by_role("link").first.click()
    page.get_by_role("button", name="Refuse request").click()
    assert "Enter the reason for refusing" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Reason for refusing").fill(
        "Custody history is not necessary for a housing decision; ask the person's consent instead."
    )
    page.get_by_role("button", name="Refuse request").click()
    assert "The request is refused" in page.inner_text("main")

    page.goto("/requests/gap-report/")
    assert page.get_by_test_id("gap-total").inner_text().startswith("1 request")
    chart = page.get_by_test_id("gap-chart")
    expect(chart.locator("svg rect")).to_have_count(1)
    assert (
        "Accommodation pathway: Custody and release, Probation Service – Northshire from Northshire Police"
        in chart.inner_text()
    )
    table = page.get_by_test_id("gap-table").inner_text()
    assert "Custody" in table
    assert_accessible(page)
    screenshot(page, "requests-06-gap-report")
    sign_out(page)

    sign_in(page, "po", TEST_PASSWORD)
    page.goto("/requests/")
    assert "Refused" in page.get_by_test_id("my-requests").inner_text()
    page.get_by_test_id("my-requests").get_by_role("link").first.click()
    assert "not necessary for a housing decision" in page.get_by_test_id("decision-reason").inner_text()
    assert_accessible(page)
    screenshot(page, "requests-07-refused")
