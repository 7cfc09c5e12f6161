"""The cannot-match-yet queue: a bare record is kept, shown to its agency, completed and matched."""

import pytest
from playwright.sync_api import expect

from iomshare.identity import services
from iomshare.identity.models import SourceRecord
from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting_record(db):
    charity = AgencyFactory(code="charity", name="Northshire Mentoring Trust", kind="vcs", is_statutory=False)
    StaffMemberFactory(
        username="keyworker", agency=charity, role=Role.PRACTITIONER, first_name="Kit", last_name="Ahmed"
    )
    arrival = services.receive_record(
        agency=charity,
        data={
            "record_key": "SCM-9",
            "given_name": "Jordan",
            "family_name": "Whitlock",
            "date_of_birth": "1990-05-92",
            "postcode": "LS1 4AP",
        },
        provenance="mentoring spreadsheet",
    )
    assert arrival.outcome == "waiting"
    return arrival.record


def test_a_key_worker_completes_a_record_that_could_not_be_matched(page, live_server, waiting_record):
    sign_in(page, "keyworker", TEST_PASSWORD)
    page.goto(f"{live_server.url}/identity/waiting/")
    expect(page.get_by_role("heading", name="Records that cannot be matched yet")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "identity-waiting-queue")
    page.get_by_role("link", name="SCM-9").click()
    expect(page.locator("body")).to_contain_text("The date of birth 1990-05-92 is not a real date")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1990")
    page.get_by_role("button", name="Complete and match the record").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "identity-waiting-record-error")
    page.get_by_label("Day").fill("17")
    page.get_by_label("Month").fill("5")
    page.get_by_role("button", name="Complete and match the record").click()
    expect(page.locator("body")).to_contain_text("Record SCM-9 completed and matched: it is a new person.")
    record = SourceRecord.objects.get(pk=waiting_record.pk)
    assert record.person is not None and not record.waiting_reason
