"""A meeting from agenda to minutes and actions, and My actions showing an overdue action."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.casework import services
from iomshare.casework.models import Action
from iomshare.partnership.models import Role
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db):
    reseed_reference_data()
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    officer = StaffMemberFactory(username="officer", agency=police, first_name="Priya", last_name="Shah")
    StaffMemberFactory(username="po", agency=probation, first_name="Owen", last_name="Jones")
    StaffMemberFactory(
        username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER, first_name="Mo", last_name="Khan"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    AgencyIdentifierFactory(person=jordan, agency=probation, value="PROBATION-WHITLOCK")
    membership = CohortMembershipFactory(
        person=jordan, lead_agency=police, review_on=timezone.localdate() + dt.timedelta(days=5)
    )
    membership.key_workers.add(officer)
    late = services.raise_action(
        by=officer,
        person=jordan,
        description="Book the joint home visit with probation.",
        due_on=timezone.localdate(),
        owner=officer,
    )
    Action.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    return {"jordan": jordan}


def test_a_meeting_from_agenda_to_minutes_and_actions_then_my_actions(page, partnership):
    sign_in(page, "manager", TEST_PASSWORD)
    page.goto("/casework/meetings/")
    page.get_by_role("link", name="Arrange a meeting").click()
    page.get_by_label("Review due within (days)").fill("14")
    page.get_by_role("button", name="Narrow").click()
    page.get_by_label("Case conference").check()
    day = timezone.localdate()
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Northshire Police", exact=True).check()
    page.get_by_label("Probation Service North", exact=True).check()
    page.get_by_label("Priya Shah, Northshire Police").check()
    page.get_by_label("Owen Jones, Probation Service North").check()
    page.get_by_label("Jordan Whitlock").check()
    assert_accessible(page)
    screenshot(page, "meeting-arrange")
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_role("heading", name="Case conference")).to_be_visible()
    page.get_by_label("Priya Shah, Northshire Police").check()
    page.get_by_role("button", name="Keep attendance").click()
    assert_accessible(page)
    screenshot(page, "meeting-agenda")
    page.get_by_role("link", name="Jordan Whitlock").click()
    page.get_by_label("Discussion").fill("Engaging well; new associates reported near the station.")
    page.get_by_label("Decisions").fill("Stays Fixed. Police to visit with probation.")
    page.get_by_role("button", name="Record the minutes").click()
    expect(page.get_by_test_id("minuted")).to_be_visible()
    page.get_by_label("What is to be done?").fill("Joint home visit with probation this week.")
    page.get_by_label("Who owns it?").select_option("staff:officer")
    tomorrow = day + dt.timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(tomorrow.day))
    page.get_by_label("Month", exact=True).fill(str(tomorrow.month))
    page.get_by_label("Year", exact=True).fill(str(tomorrow.year))
    page.get_by_role("button", name="Raise the action").click()
    expect(page.get_by_test_id("actions").get_by_text("Joint home visit with probation")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "meeting-minutes-and-actions")

    page.context.clear_cookies()
    sign_in(page, "officer", TEST_PASSWORD)
    page.get_by_role("link", name="My actions").first.click()
    expect(page.get_by_test_id("overdue")).to_have_count(1)
    expect(page.get_by_text("Joint home visit with probation this week.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "my-actions-overdue")
