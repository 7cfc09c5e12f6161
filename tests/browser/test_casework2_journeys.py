"""Changing an action's due date, the cohort changes file (check, then import) and an agency added
by an administrator: each page axe-clean, with a screenshot."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.casework import services
from iomshare.partnership.models import Agency, Role
from iomshare.people.models import CohortChange
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.IOMSHARE_IMPORT_DIR = tmp_path
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    po = StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")
    StaffMemberFactory(
        username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER, first_name="Mo", last_name="Khan"
    )
    StaffMemberFactory(
        username="admin.one", agency=police, role=Role.ADMIN, first_name="Ada", last_name="Hale"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    for agency in (police, probation):
        AgencyIdentifierFactory(person=jordan, agency=agency, value=f"{agency.code.upper()}-WHITLOCK")
    action = services.raise_action(
        by=officer,
        person=jordan,
        description="Book the joint home visit with probation.",
        due_on=timezone.localdate() + dt.timedelta(days=2),
        owner=po,
    )
    return {"action": action, "jordan": jordan}


def test_the_owner_changes_the_due_date_with_a_reason(page, partnership):
    action = partnership["action"]
    new_due = timezone.localdate() + dt.timedelta(days=9)
    sign_in(page, "po", TEST_PASSWORD)
    page.goto(f"/casework/actions/{action.pk}/")
    page.get_by_role("link", name="Change due date").click()
    expect(page.get_by_role("heading", name="Change the due date or owner")).to_have_count(1)
    page.get_by_label("Day", exact=True).fill(str(new_due.day))
    page.get_by_label("Month", exact=True).fill(str(new_due.month))
    page.get_by_label("Year", exact=True).fill(str(new_due.year))
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "action-change-due-date-error")
    page.get_by_label("Why is it changed?").fill("The housing officer is on leave until next week.")
    page.get_by_role("button", name="Save the change").click()
    history = page.get_by_test_id("action-history")
    expect(history.get_by_text("Due date changed")).to_have_count(1)
    expect(history.get_by_text("The housing officer is on leave", exact=False)).to_have_count(1)
    expect(page.get_by_test_id("action")).to_contain_text(f"{new_due.day} {new_due:%B %Y}")
    assert_accessible(page)
    screenshot(page, "action-due-date-changed")


def test_a_cohort_changes_file_is_checked_then_imported(page, partnership, tmp_path):
    csv_file = tmp_path / "panel-december.csv"
    csv_file.write_text(
        "key,person_scheme,person,change,source,reason,tier,lead_agency\n"
        "dec-1,local,POLICE-WHITLOCK,refer,Release from custody,Three burglaries in six months and no address.,,\n"
        "dec-2,local,POLICE-WHITLOCK,accept,,,Fixed,police\n"
    )
    sign_in(page, "manager", TEST_PASSWORD)
    page.goto("/exchange/cohort-changes/")
    assert_accessible(page)
    page.get_by_label("The cohort changes file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("check-passed")).to_have_count(1)
    expect(page.get_by_test_id("changes").get_by_role("row")).to_have_count(3)
    assert not CohortChange.objects.exists()
    assert_accessible(page)
    screenshot(page, "cohort-file-checked")
    page.get_by_role("button", name="Import the changes").click()
    expect(page.get_by_role("heading", name="2 changes made")).to_have_count(1)
    expect(page.get_by_test_id("changes")).to_contain_text("Accepted onto the cohort")
    assert CohortChange.objects.filter(person=partnership["jordan"]).count() == 2
    assert_accessible(page)
    screenshot(page, "cohort-file-imported")


def test_an_administrator_adds_an_agency(page, partnership):
    expiry = timezone.localdate() + dt.timedelta(days=300)
    sign_in(page, "admin.one", TEST_PASSWORD)
    page.goto("/governance/")
    page.get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Add an agency").click()
    page.get_by_label("Code").fill("open-door")
    page.get_by_label("Name", exact=True).fill("Open Door Northshire")
    page.get_by_label("Voluntary and community sector").check()
    page.get_by_role("group", name="Is it a statutory partner?").get_by_label("No").check()
    page.get_by_label("Cyber Essentials Plus").check()
    page.get_by_role("button", name="Add the agency").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the assurance expires")
    assert_accessible(page)
    screenshot(page, "agency-add-error")
    page.get_by_label("Day", exact=True).fill(str(expiry.day))
    page.get_by_label("Month", exact=True).fill(str(expiry.month))
    page.get_by_label("Year", exact=True).fill(str(expiry.year))
    page.get_by_role("button", name="Add the agency").click()
    expect(page.get_by_test_id("agencies").get_by_role("link", name="Open Door Northshire")).to_have_count(1)
    assert Agency.objects.get(code="open-door").assurance_expires_on == expiry
    assert_accessible(page)
    screenshot(page, "agency-added")
