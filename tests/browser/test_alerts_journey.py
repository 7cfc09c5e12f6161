"""Alerts in the browser: the unread count, the notifications page, following a person, the webhook log."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.alerts import fanout, webhooks
from iomshare.alerts.models import CohortEvent, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from iomshare.partnership.models import Role
from iomshare.people.models import Tier
from iomshare.records import services
from iomshare.records.models import Category, Sensitivity
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    ClauseDocumentFactory,
    CohortMembershipFactory,
    PersonFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)
from tests.protocols.conftest import train

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cohort(db):
    reseed_reference_data()  # transactional tests flush what migrations seeded
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    officer = StaffMemberFactory(
        username="police.officer", agency=police, first_name="Priya", last_name="Shah"
    )
    key_worker = train(
        StaffMemberFactory(
            username="probation.kw",
            agency=probation,
            role=Role.PRACTITIONER,
            first_name="Owen",
            last_name="Jones",
        ),
        "information_sharing",
    )
    active_protocol(
        ProtocolDocumentFactory(
            title="Northshire IOM core protocol", clauses=[ClauseDocumentFactory(categories=["offending"])]
        )
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=jordan, lead_agency=police, tier=Tier.FIXED).key_workers.add(key_worker)
    offending = Category.objects.get(code="offending")
    services.record_item(
        by=officer, person=jordan, category=offending, summary="Arrested for burglary dwelling"
    )
    services.record_item(
        by=officer,
        person=jordan,
        category=offending,
        summary="Sensitive detail",
        sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
    )
    fanout.fan_out()
    return {"key_worker": key_worker, "jordan": jordan, "probation": probation}


def test_a_key_worker_sees_the_unread_count_reads_alerts_and_follows_a_person(page, cohort):
    sign_in(page, "probation.kw", TEST_PASSWORD)
    count = page.get_by_test_id("unread-count")
    assert count.inner_text().startswith("2")
    screenshot(page, "alerts-unread-count")

    page.get_by_test_id("notifications-link").click()
    rows = page.get_by_test_id("notifications").locator("tbody tr")
    expect(rows).to_have_count(2)
    text = page.get_by_test_id("notifications").inner_text()
    assert "Arrested for burglary dwelling" in text
    assert "Northshire Police has new information about Jordan Whitlock" in text
    assert "Sensitive detail" not in text
    screenshot(page, "alerts-notifications-page")
    page.get_by_label("What happened").select_option("charge")
    page.get_by_label("Show").select_option("unread")
    page.get_by_role("button", name="Filter").click()
    # The withheld one is not a charge. expect() waits for the filtered page; count() would not.
    expect(page.get_by_test_id("notifications").locator("tbody tr")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("button", name="Open this notification").first.click()
    page.wait_for_url(f"**/people/{cohort['jordan'].pk}/")
    expect(page.get_by_test_id("unread-count")).to_have_text(re.compile(r"^\s*1"))
    page.get_by_test_id("follow").get_by_role("button").click()
    expect(page.locator("body")).to_contain_text("You are now following this person.")
    assert "Stop following" in page.get_by_test_id("follow").inner_text()
    screenshot(page, "alerts-following-a-person")
    assert_accessible(page)

    page.goto("/notifications/settings/")
    assert "Jordan Whitlock" in page.get_by_test_id("followed").inner_text()
    assert_accessible(page)

    # Quiet hours: a start without an end is explained; both are saved.
    page.get_by_label("An e-mail for each alert").check()
    page.get_by_label("From").select_option(label="10pm")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("body")).to_contain_text(
        "Choose when your quiet hours start and when they end, or neither"
    )
    assert_accessible(page)
    page.get_by_label("Until").select_option(label="7am")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("body")).to_contain_text("Your alert settings are saved.")
    assert page.get_by_label("From").input_value() == "22:00"
    screenshot(page, "alerts-quiet-hours")


def test_an_ig_lead_reads_the_webhook_log_and_sends_a_dead_letter_again(page, cohort):
    lead = StaffMemberFactory(username="probation.lead", agency=cohort["probation"], role=Role.IG_LEAD)
    system = StaffMemberFactory(username="probation.system", agency=cohort["probation"], role=Role.SYSTEM)
    endpoint = WebhookEndpoint.objects.create(
        agency=cohort["probation"], account=system, url="http://127.0.0.1:9/case-system/hooks"
    )
    events = list(CohortEvent.objects.order_by("pk"))
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=events[0],
        message_id="msg_dead",
        payload={"type": "cohort.charge"},
        status=DeliveryStatus.DEAD,
        attempts=6,
        last_attempt_at=timezone.now(),
        last_error="[Errno 111] Connection refused",
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=events[1],
        message_id="msg_ok",
        payload={"type": "cohort.charge"},
        status=DeliveryStatus.DELIVERED,
        attempts=1,
        last_response_status=204,
        delivered_at=timezone.now(),
    )
    sign_in(page, lead.username, TEST_PASSWORD)
    page.goto("/notifications/webhooks/")
    log = page.get_by_test_id("deliveries").inner_text()
    assert "Gave up (dead letter)" in log and "Connection refused" in log and "HTTP 204" in log
    screenshot(page, "alerts-webhook-log")
    assert_accessible(page)
    page.get_by_role("button", name="Send again msg_dead").click()
    expect(page.locator("body")).to_contain_text("Delivery msg_dead will be sent again.")
    assert WebhookDelivery.objects.get(message_id="msg_dead").status == DeliveryStatus.PENDING
    assert webhooks.max_attempts() == 6
