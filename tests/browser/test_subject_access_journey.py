"""A subject access request end to end: police receive it and check identity, police and probation
each decide on their own items, police assemble only what was released, check it, and release the PDF."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from iomshare.partnership.models import Role
from iomshare.records.models import HandlingCode, Sensitivity
from iomshare.subject_access.models import RequestStatus, SubjectAccessRequest
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
    CategoryFactory,
    CohortMembershipFactory,
    InformationItemFactory,
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
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    StaffMemberFactory(
        username="probation.ig", agency=probation, role=Role.IG_LEAD, first_name="Pat", last_name="Reid"
    )
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    po = StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")
    person = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=person, lead_agency=police)
    recorded = timezone.localdate() - dt.timedelta(days=40)
    InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        category=CategoryFactory(code="intelligence"),
        sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
        summary="Intelligence: seen with a known supplier",
        valid_from=recorded,
    )
    InformationItemFactory(
        person=person,
        holding_agency=police,
        author=officer,
        summary="Arrested for shoplifting",
        handling_code=HandlingCode.NO_ONWARD_SHARING,
        valid_from=recorded,
    )
    InformationItemFactory(
        person=person,
        holding_agency=probation,
        author=po,
        category=CategoryFactory(code="risk"),
        summary="Risk summary: medium risk of serious harm",
        valid_from=recorded,
        payload={
            "form": "risk_summary",
            "version": 1,
            "answers": {"rosh_level": "medium", "who_is_at_risk": "Former partner, Sam Doe"},
        },
    )
    return person


def fill_date(page, name: str, day: dt.date) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def decide(page, summary: str, outcome: str, exemption: str = "", redact: tuple[str, ...] = ()) -> None:
    page.get_by_role("link", name=f"Decide on {summary}").click()
    page.get_by_label(outcome).check()
    for part in redact:
        page.get_by_label(part, exact=True).check()
    if exemption:
        page.get_by_label("If you withhold or redact: the exemption").select_option(label=exemption)
    page.get_by_role("button", name="Save the decision").click()


def test_two_agencies_decide_and_the_coordinator_releases_only_what_they_released(page, partnership):
    person = partnership
    today = timezone.localdate()
    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto(f"/cohort/people/{person.pk}/")
    page.get_by_role("link", name="Record a subject access request").click()
    page.get_by_role("button", name="Record the request").click()
    assert "Enter the date the request was received" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    fill_date(page, "received_on", today - dt.timedelta(days=2))
    page.get_by_label("The person themselves").check()
    page.get_by_role("button", name="Record the request").click()
    assert "is recorded. It is due by" in page.locator(".govuk-notification-banner").inner_text()
    assert "Waiting for an identity check" in page.get_by_test_id("sar-status").inner_text()
    screenshot(page, "sar-01-recorded")
    assert_accessible(page)

    page.get_by_role("link", name="Record the identity check").click()
    fill_date(page, "checked_on", today)
    page.get_by_label("How was identity checked?").fill("Passport and a utility bill seen at the front desk.")
    page.get_by_role("button", name="Confirm identity and send to the holding agencies").click()
    progress = page.get_by_test_id("progress").inner_text()
    assert "Northshire Police" in progress and "Probation Service North" in progress
    screenshot(page, "sar-02-with-agencies")
    assert_accessible(page)

    page.get_by_test_id("decide-link").click()
    own = page.locator("[data-testid=own-item]").all_inner_texts()
    assert len(own) == 2 and not any("Risk summary" in text for text in own)  # only police's own items
    decide(
        page,
        "Intelligence: seen with a known supplier",
        "Withhold under an exemption",
        "DPA 2018 Schedule 2 paragraph 2 (crime and taxation)",
    )
    decide(page, "Arrested for shoplifting", "Release in full")
    screenshot(page, "sar-03-police-decisions")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm Northshire Police's response").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "probation.ig", TEST_PASSWORD)
    open_notification(page, "needs your agency's decisions")
    page.get_by_test_id("decide-link").click()
    decide_link = page.get_by_role("link", name="Decide on Risk summary: medium risk of serious harm")
    expect(decide_link).to_be_visible()
    assert "Intelligence" not in page.content()
    decide_link.click()
    page.get_by_label("Release with parts redacted").check()
    page.get_by_label("Who is at risk", exact=True).check()
    page.get_by_role("button", name="Save the decision").click()
    assert (
        "Select the exemption that allows the redaction" in page.locator(".govuk-error-summary").inner_text()
    )
    screenshot(page, "sar-04-probation-decision-error")
    assert_accessible(page)
    page.get_by_label("If you withhold or redact: the exemption").select_option(
        label="DPA 2018 Schedule 2 paragraph 16 (protection of the rights of others)"
    )
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_role("button", name="Confirm Probation Service North's response").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto("/subject-access/")
    page.get_by_role("link", name=SubjectAccessRequest.objects.get().reference).click()
    page.get_by_role("button", name="Assemble the pack").click()
    pack = page.locator("[data-testid=pack-item]").all_inner_texts()
    assert len(pack) == 2
    text = " ".join(pack)
    assert "Arrested for shoplifting" in text and "[Redacted]" in text and "Sam Doe" not in text
    assert "Intelligence" not in page.content()
    assert "crime and taxation" in page.get_by_test_id("covering-letter").inner_text()
    screenshot(page, "sar-05-check-the-pack")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_test_id("pack-pdf").click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    pdf = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Dear Jordan Whitlock" in pdf and "Arrested for shoplifting" in pdf
    assert "Sam Doe" not in pdf and "known supplier" not in pdf

    fill_date(page, "sent_on", today)
    page.get_by_role("button", name="Record the release").click()
    assert "Released" in page.get_by_test_id("sar-status").inner_text()
    screenshot(page, "sar-06-released")
    assert SubjectAccessRequest.objects.get().status == RequestStatus.RELEASED
