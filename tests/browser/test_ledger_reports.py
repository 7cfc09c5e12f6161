"""An information-governance lead reads who saw a person's information."""

from pathlib import Path

import pytest

from iomshare.partnership.models import Role
from iomshare.people.models import Tier
from tests.browser.conftest import assert_accessible, screenshot, sign_in
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
def seen_person(db, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=jordan, lead_agency=police, tier=Tier.FIXED)
    InformationItemFactory(
        person=jordan,
        holding_agency=police,
        category=CategoryFactory(code="warning_marker"),
        summary="Warning marker: weapons (knife)",
    )
    return jordan


def test_ig_lead_sees_who_opened_a_persons_record(page, seen_person):
    sign_in(page, "officer", TEST_PASSWORD)
    page.goto(f"/cohort/people/{seen_person.id}/")
    assert "Warning marker: weapons" in page.get_by_test_id("timeline").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "police.ig", TEST_PASSWORD)
    page.goto("/ledger/")
    assert_accessible(page)
    page.get_by_label("Name or identifier").fill("Whitlock")
    page.get_by_role("button", name="Find").click()
    screenshot(page, "ledger-01-home")
    page.get_by_test_id("people-found").get_by_role("link", name="Jordan Whitlock").click()

    entries = page.get_by_test_id("ledger-entries").inner_text()
    assert "officer, Northshire Police" in entries, entries
    assert "1 item" in entries
    assert_accessible(page)
    screenshot(page, "ledger-02-person-report")

    with page.expect_download() as download:
        page.get_by_test_id("download-csv").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "officer" in csv_text and str(seen_person.id) in csv_text


def test_a_practitioner_cannot_read_the_ledger(page, seen_person):
    sign_in(page, "officer", TEST_PASSWORD)
    response = page.goto(f"/ledger/people/{seen_person.id}/")
    assert response.status == 403
    assert "Officer" not in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "ledger-04-not-permitted")
