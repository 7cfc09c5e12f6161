"""An agency's administrator renews lapsed training from the expiry list; a practitioner reads and
acknowledges the protocol in force; the IG lead's and the key worker's dashboards."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.alerts.models import CohortEvent, EventKind, Notification
from iomshare.casework.models import Action, RaisedFrom
from iomshare.partnership.models import Role, StaffMember, TrainingRecord
from iomshare.protocols.models import Acknowledgement
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    CohortMembershipFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
    active_protocol,
)
from tests.health.generated import make_partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.timedelta


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reseed_reference_data()  # transactional tests flush what migrations seed
    return make_partnership()


def test_an_administrator_renews_lapsed_training_from_the_expiry_list(page, partnership):
    today = partnership.today
    police = partnership.agencies[0]
    StaffMemberFactory(username="police.admin", agency=police, role=Role.ADMIN)
    robin = StaffMemberFactory(username="robin", agency=police, first_name="Robin", last_name="Lapsed")
    TrainingRecordFactory(staff_member=robin, completed_on=today - D(days=380), expires_on=today - D(days=15))
    sign_in(page, "police.admin", TEST_PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Governance").click()
    page.get_by_role("link", name="Training and vetting to renew").click()
    expired = page.get_by_test_id("expired")
    row = expired.get_by_role("row").filter(has_text="Robin Lapsed")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Information sharing in IOM")
    assert_accessible(page)
    screenshot(page, "training-01-expiry-list")

    row.get_by_role("link", name="Record a renewal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a renewal for Robin Lapsed")
    page.locator("#completed_on-day").fill(str(today.day))
    page.locator("#completed_on-month").fill(str(today.month))
    page.locator("#completed_on-year").fill(str(today.year))
    page.locator("#expires_on-day").fill(str(today.day))
    page.locator("#expires_on-month").fill(str(today.month))
    page.locator("#expires_on-year").fill(str(today.year - 1))
    page.get_by_role("button", name="Record the renewal").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The new expiry date must be after the date the course was completed"
    )
    assert TrainingRecord.objects.filter(staff_member=robin).count() == 1
    assert_accessible(page)
    screenshot(page, "training-02-renewal-error")

    page.locator("#expires_on-year").fill(str(today.year + 1))
    page.get_by_role("button", name="Record the renewal").click()
    expect(page.get_by_test_id("training-history").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text("The renewal for Robin Lapsed is recorded.")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "training-03-renewal-recorded")
    page.get_by_role("link", name="Back to training and vetting to renew").click()
    expect(page.get_by_role("row").filter(has_text="Robin Lapsed")).to_have_count(0)


def test_a_practitioner_reads_and_acknowledges_the_protocol_in_force(page, partnership):
    protocol = active_protocol(title="Northshire IOM core protocol")
    officer = StaffMemberFactory(
        username="reader", agency=partnership.agencies[0], first_name="Rae", last_name="Reader"
    )
    sign_in(page, "reader", TEST_PASSWORD)
    page.goto("/protocols/to-read/")
    page.get_by_role("link", name="Northshire IOM core protocol").click()
    expect(page.get_by_test_id("clause")).to_have_count(1)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have read and understood")
    assert_accessible(page)
    page.get_by_label("I have read this protocol").check()
    page.get_by_role("button", name="Acknowledge").click()
    row = page.get_by_test_id("to-read").get_by_role("row").filter(has_text="Northshire IOM core protocol")
    expect(row).not_to_contain_text("Not yet")
    assert Acknowledgement.objects.filter(protocol=protocol, staff_member=officer).exists()
    assert_accessible(page)
    screenshot(page, "training-04-protocol-acknowledged")
    page.get_by_role("link", name="Northshire IOM core protocol").click()
    expect(page.get_by_test_id("acknowledged")).to_have_count(1)
    screenshot(page, "training-05-protocol-read")


def test_the_ig_lead_and_key_worker_dashboards(page, partnership):
    sign_in(page, "ig", TEST_PASSWORD)
    expect(page.get_by_test_id("ig-dashboard")).to_have_count(1)
    expect(page.get_by_test_id("requests-by-due-date").locator("tbody tr")).to_have_count(3)
    assert_accessible(page)
    screenshot(page, "dashboard-01-ig-lead")
    page.get_by_role("button", name="Sign out").first.click()

    today = timezone.localdate()
    worker = StaffMember.objects.get(username="staff0")
    person = partnership.people[0]
    CohortMembershipFactory(person=person, started_on=today - D(days=20)).key_workers.add(worker)
    for due in (today - D(days=3), today + D(days=2)):
        Action.objects.create(
            person=person,
            description="Synthetic action",
            owner=worker,
            owning_agency=worker.agency,
            due_on=due,
            raised_by=worker,
            raising_agency=worker.agency,
            raised_from=RaisedFrom.PERSON_PAGE,
        )
    event = CohortEvent.objects.create(kind=EventKind.ARREST, person=person, source_agency=worker.agency)
    Notification.objects.create(
        recipient=worker,
        message="An arrest was recorded for someone on your caseload",
        event=event,
        kind="arrest",
    )
    sign_in(page, "staff0", TEST_PASSWORD)
    expect(page.get_by_test_id("key-worker-dashboard")).to_have_count(1)
    expect(page.get_by_test_id("actions-due").locator("li")).to_have_count(2)
    expect(page.get_by_test_id("recent-events").locator("li")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "dashboard-02-key-worker")
