"""The IG lead's retention journey: the review queue, keep one item, dispose of one, place a legal hold."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.partnership.models import Role
from iomshare.records.models import Category, InformationItem, ItemStatus
from iomshare.retention import sweep
from iomshare.retention.models import LegalHold, RetentionReview, RetentionSchedule, ReviewStatus
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
def queue(db, settings, tmp_path):
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    reseed_reference_data()  # transactional tests flush the categories and default schedules
    RetentionSchedule.objects.filter(category__code="risk").update(period=2, unit="years", trigger="recorded")
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    StaffMemberFactory(
        username="iglead", agency=police, role=Role.IG_LEAD, first_name="Imogen", last_name="Grey"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    casey = PersonFactory(given_name="Casey", family_name="Marlow")
    risk = Category.objects.get(code="risk")
    for who, year in ((jordan, 2017), (casey, 2018), (jordan, 2019)):
        InformationItemFactory(
            person=who,
            holding_agency=police,
            category=risk,
            summary="Synthetic risk assessment",
            recorded_at=dt.datetime(year, 3, 1, 12, tzinfo=dt.UTC),
            valid_from=dt.date(year, 3, 1),
            review_by=dt.date(year + 1, 3, 1),
        )
    result = sweep.sweep(timezone.localdate())
    assert result.queued_for_review == 3
    return {"jordan": jordan, "casey": casey}


def test_ig_lead_keeps_one_item_disposes_of_one_and_places_a_legal_hold(page, queue):
    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/retention/")
    assert "3 waiting" in page.get_by_test_id("waiting-count").inner_text()
    assert_accessible(page)
    screenshot(page, "retention-01-overview")

    page.get_by_role("link", name="Information due for a decision").click()
    assert "3 waiting" in page.get_by_test_id("review-count").inner_text()
    assert_accessible(page)
    screenshot(page, "retention-02-review-queue")

    # Keep the oldest: first without a reason (errors), then properly.
    page.get_by_role(
        "link", name="Decide on risk assessment information about Jordan Whitlock recorded 1 March 2017"
    ).click()
    page.get_by_role("button", name="Keep the information").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter why the information is still needed" in summary
    assert "Enter the date to review the information again" in summary
    assert_accessible(page)
    screenshot(page, "retention-03-keep-errors")
    next_year = timezone.localdate().year + 1
    page.get_by_label("Why it is still needed").fill(
        "Jordan is back in the cohort; the assessment is current."
    )
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill(str(next_year))
    page.get_by_role("button", name="Keep the information").click()
    assert f"kept until 1 June {next_year}" in page.locator(".govuk-notification-banner").inner_text()
    assert "2 waiting" in page.get_by_test_id("review-count").inner_text()

    # Dispose of Casey's, after the check page.
    page.get_by_role(
        "link", name="Decide on risk assessment information about Casey Marlow recorded 1 March 2018"
    ).click()
    page.get_by_role("link", name="Dispose of the information").click()
    assert "Disposal cannot be undone" in page.locator(".govuk-warning-text").inner_text()
    page.get_by_label("Why it can be disposed of").fill("Left the cohort in 2019; nothing open.")
    assert_accessible(page)
    screenshot(page, "retention-04-dispose-check")
    page.get_by_role("button", name="Dispose of it for good").click()
    assert "has been disposed of" in page.locator(".govuk-notification-banner").inner_text()
    casey_item = RetentionReview.objects.get(person=queue["casey"]).item_id
    assert (
        InformationItem.objects.filter(pk=casey_item).values_list("status", flat=True).get()
        == ItemStatus.DISPOSED
    )

    # A legal hold on Jordan: the queue then says why the last one cannot be disposed of.
    page.get_by_role(
        "link", name="Decide on risk assessment information about Jordan Whitlock recorded 1 March 2019"
    ).click()
    page.get_by_role("link", name="Place a legal hold on everything about Jordan Whitlock").click()
    page.get_by_role("button", name="Place the legal hold").click()
    assert "Enter why the information must be kept" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Why the information must be kept").fill(
        "Civil claim 2026-CL-0142 served on the force."
    )
    page.get_by_role("button", name="Place the legal hold").click()
    assert "Civil claim 2026-CL-0142" in page.get_by_test_id("hold-warning").inner_text()
    expect(page.get_by_role("link", name="Dispose of the information")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "retention-05-review-under-hold")
    page.get_by_role("link", name="Back to the review queue").click()
    assert "Civil claim 2026-CL-0142" in page.get_by_test_id("hold-reason").inner_text()
    assert_accessible(page)
    screenshot(page, "retention-06-queue-with-hold")

    statuses = dict(
        RetentionReview.objects.values_list("person__given_name", "status").filter(
            status=ReviewStatus.RETAINED
        )
    )
    assert statuses == {"Jordan": ReviewStatus.RETAINED}
    assert LegalHold.objects.get().person == queue["jordan"]


def test_ig_lead_filters_the_queue_and_keeps_several_items_with_one_reason(page, queue):
    sign_in(page, "iglead", TEST_PASSWORD)
    page.goto("/retention/reviews/")
    page.get_by_label("Sort by").select_option("person")
    page.get_by_role("button", name="Apply").click()
    rows = page.get_by_test_id("review-queue").inner_text()
    assert rows.index("Casey Marlow") < rows.index("Jordan Whitlock")

    # Nothing selected: a clear error, nothing kept.
    page.get_by_role("button", name="Keep the selected items").click()
    assert "Select the items to keep" in page.locator(".govuk-error-summary").inner_text()
    assert RetentionReview.objects.filter(status=ReviewStatus.OPEN).count() == 3

    page.get_by_label(
        "Select risk assessment information about Jordan Whitlock recorded 1 March 2017"
    ).check()
    page.get_by_label(
        "Select risk assessment information about Jordan Whitlock recorded 1 March 2019"
    ).check()
    page.get_by_label("Why they are still needed").fill(
        "Jordan is back in the cohort; both assessments are current."
    )
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill(str(timezone.localdate().year + 1))
    screenshot(page, "retention-bulk-01-selected")
    assert_accessible(page)
    page.get_by_role("button", name="Keep the selected items").click()
    assert "2 items kept until 1 June" in page.locator(".govuk-notification-banner").inner_text()
    assert "1 waiting" in page.get_by_test_id("review-count").inner_text()
    assert "Casey Marlow" in page.get_by_test_id("review-queue").inner_text()
    screenshot(page, "retention-bulk-02-kept")
    assert_accessible(page)
    kept = RetentionReview.objects.filter(status=ReviewStatus.RETAINED)
    assert kept.count() == 2 and {r.person_id for r in kept} == {queue["jordan"].pk}
