"""The partnership manager reads the health check: verdicts, charts with their tables, a trend, the CSV."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from iomshare.governance.models import HealthSnapshot
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import TEST_PASSWORD
from tests.health.generated import make_partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reseed_reference_data()  # transactional tests flush what migrations seed
    made = make_partnership()
    month = made.today.replace(day=1)
    for back in range(1, 7):  # six earlier monthly snapshots, for the trend
        month = (month - dt.timedelta(days=1)).replace(day=1)
        HealthSnapshot.objects.create(
            month=month, figures={"retention.open_reviews": 3 + back, "training.expired": 10 - back}
        )
    return made


def test_partnership_manager_reads_the_health_check(page, partnership):
    sign_in(page, "pm", TEST_PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Governance").click()
    page.get_by_test_id("health-check-link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Partnership health check"
    expect(page.locator("[data-testid^=question-]")).to_have_count(10)
    training = page.get_by_test_id("question-2")
    assert training.get_by_test_id("verdict").inner_text() == "Needs attention"
    assert training.locator("img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(training.get_by_test_id("training.by_agency")).to_be_visible()
    retention = page.get_by_test_id("question-5")
    retention.get_by_text("The last 12 months").click()
    expect(retention.get_by_test_id("trend-5").locator("tbody tr")).to_have_count(6)
    assert page.get_by_test_id("question-8").get_by_test_id("verdict").inner_text() == "Good"
    assert_accessible(page)
    screenshot(page, "health-check-01-page")

    with page.expect_download() as download:
        page.get_by_test_id("health-csv").click()
    assert download.value.suggested_filename.startswith("health-check-")

    page.get_by_test_id("question-1").get_by_role(
        "link", name="Gap report: what no protocol provides"
    ).click()
    assert "Gap report" in page.get_by_role("heading", level=1).inner_text()
