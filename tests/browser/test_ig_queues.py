"""The IG lead's queues at scale (issue 20): one decision for many accuracy checks, the content of an
item being judged, and the sweep's own actions on the retention hub."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.partnership.models import Role
from iomshare.records.models import Category, InformationItem
from iomshare.retention import sweep
from iomshare.retention.models import LegalHold, RetentionSchedule
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def police(db, settings, tmp_path):
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    reseed_reference_data()  # transactional tests flush the categories and default schedules
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    lead = StaffMemberFactory(
        username="iglead", agency=police, role=Role.IG_LEAD, first_name="Imogen", last_name="Grey"
    )
    return {"agency": police, "lead": lead}


def recorded(police, who, code: str, *, year: int, summary: str = "Synthetic item", review_by=None):
    return InformationItemFactory(
        person=who,
        holding_agency=police["agency"],
        category=Category.objects.get(code=code),
        summary=summary,
        details="Synthetic details for the test.",
        recorded_at=dt.datetime(year, 3, 1, 12, tzinfo=dt.UTC),
        valid_from=dt.date(year, 3, 1),
        review_by=review_by or dt.date(year + 1, 3, 1),
    )


def test_ig_lead_decides_many_accuracy_checks_at_once(page, police):
    today = timezone.localdate()
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    casey = PersonFactory(given_name="Casey", family_name="Marlow")
    for who, days in ((jordan, 40), (casey, 200), (jordan, 500)):
        recorded(police, who, "accommodation", year=2024, review_by=today - dt.timedelta(days=days))
    recorded(police, casey, "contact", year=2024, review_by=today - dt.timedelta(days=10))
    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/retention/accuracy/")
    expect(page.get_by_test_id("stale-count")).to_have_text("4 items past their review date.")

    page.get_by_label("Kind of information").select_option(label="Accommodation")
    page.get_by_label("How long past its review date").select_option(label="Past it by more than 30 days")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("stale-count")).to_have_text(
        "3 items past their review date that match these filters."
    )
    assert_accessible(page)
    screenshot(page, "ig-queues-01-accuracy-filtered")

    # Nothing chosen and no reason: one clear summary, nothing changed.
    page.get_by_role("button", name="Decide on the selected items").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the items you have checked")
    expect(summary).to_contain_text("Enter how you checked the information, or what is disputed")
    assert_accessible(page)
    screenshot(page, "ig-queues-02-accuracy-errors")

    rows = page.get_by_test_id("stale-items").locator("tbody tr")
    expect(rows).to_have_count(3)
    for index in (0, 1):
        rows.nth(index).get_by_role("checkbox").check()
    page.get_by_label("It is still accurate: set the next date to check it").check()
    page.get_by_label("How you checked, or what is disputed").fill("Checked with the housing officer today.")
    next_year = today.year + 1
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill(str(next_year))
    page.get_by_role("button", name="Decide on the selected items").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"2 items checked: the next check is due by 1 June {next_year}."
    )
    expect(page.get_by_test_id("stale-items").locator("tbody tr")).to_have_count(1)
    assert InformationItem.objects.filter(review_by=dt.date(next_year, 6, 1)).count() == 2
    assert_accessible(page)
    screenshot(page, "ig-queues-03-accuracy-decided")


def test_ig_lead_reads_the_item_being_judged_for_retention(page, police):
    RetentionSchedule.objects.filter(category__code="risk").update(
        period=2, unit="years", trigger="recorded", action="review"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    recorded(police, jordan, "risk", year=2018, summary="Medium risk of harm to a former partner")
    sweep.sweep(timezone.localdate())
    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/retention/reviews/")
    page.get_by_role(
        "link", name="Decide on risk assessment information about Jordan Whitlock recorded 1 March 2018"
    ).click()
    content = page.get_by_test_id("item-content")
    expect(content).to_contain_text("Medium risk of harm to a former partner")
    expect(content).to_contain_text("Synthetic details for the test.")
    expect(page.get_by_text("recorded on the ledger as a retention review")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "ig-queues-04-review-content")


def test_the_retention_hub_summarises_what_the_sweep_did(page, police):
    RetentionSchedule.objects.filter(category__code="finance").update(
        period=2, unit="years", trigger="recorded", action="dispose"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    casey = PersonFactory(given_name="Casey", family_name="Marlow")
    for who in (jordan, jordan, casey):
        recorded(police, who, "finance", year=2018)
    LegalHold.objects.create(
        person=casey,
        reason="Civil claim in progress",
        placed_by=police["lead"],
        placing_agency=police["agency"],
    )
    sweep.sweep(timezone.localdate() - dt.timedelta(days=1))
    sweep.sweep(timezone.localdate())
    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/retention/")
    expect(page.get_by_test_id("last-sweep")).to_contain_text("It found nothing left to do")
    expect(page.get_by_test_id("sweep-runs").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("sweep-by-agency")).to_contain_text("Northshire Police")
    expect(page.get_by_test_id("stopping-holds")).to_contain_text("Civil claim in progress")
    expect(page.locator("figure.iom-chart img")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "ig-queues-05-hub-sweep-summary")
