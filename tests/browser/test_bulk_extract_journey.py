"""An IG lead asks for a bulk extract: its page shows the worker's progress, updating itself, then the
download (issue 15)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from iomshare.exchange import extract_runs
from iomshare.exchange.models import ExtractRun
from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
)

READY = '[data-testid="extract-status"][data-status="ready"]'


def test_an_ig_lead_asks_for_an_extract_watches_it_build_and_downloads_it(page, db, settings):
    settings.IOMSHARE_EXTRACTS_IN_BACKGROUND = True  # queued for a worker; the test plays the worker
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    for n in range(3):
        person = PersonFactory(given_name="Sam", family_name=f"Example{n}")
        InformationItemFactory(person=person, holding_agency=police, summary=f"Seen in town {n}")
    StaffMemberFactory(username="police.ig", first_name="Ada", agency=police, role=Role.IG_LEAD)

    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto("/exchange/exports/")
    page.get_by_role("button", name="Ask for the extract").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.url.endswith("/exchange/exports/")
    screenshot(page, "bulk-extract-01-format-missing")
    page.get_by_label("CSV").check()
    page.get_by_role("button", name="Ask for the extract").click()
    run = ExtractRun.objects.get()
    assert page.url.endswith(f"/exchange/exports/{run.pk}/")
    assert page.get_by_test_id("extract-status").get_attribute("data-status") == "queued"

    # Part-way, as a worker leaves it after its first page: the page shows how far it has gone.
    ExtractRun.objects.filter(pk=run.pk).update(status="building", people_done=1, people_total=3)
    page.reload()
    assert page.locator("progress#extract-progress").get_attribute("value") == "33"
    assert "1 of 3 people gone through" in page.get_by_test_id("extract-status").inner_text()
    assert_accessible(page)
    screenshot(page, "bulk-extract-02-building")

    # The worker finishes; the page, polling its status panel, shows the download without a reload.
    ExtractRun.objects.filter(pk=run.pk).update(status="queued", people_done=0, people_total=0)
    extract_runs.build(run.pk)
    page.wait_for_selector(READY, timeout=15_000)
    assert "3 items about 3 people" in page.get_by_test_id("extract-status").inner_text()
    assert_accessible(page)
    screenshot(page, "bulk-extract-03-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the extract (CSV)").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert body.count("Seen in town") == 3 and body.startswith("person_id,")
