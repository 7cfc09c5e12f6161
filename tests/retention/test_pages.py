"""Retention pages: IG leads only (items to check: the agency's staff), errors in a GOV.UK summary."""

import datetime as dt

import pytest
from django.template import Context, Template

from iomshare.retention import sweep
from iomshare.retention.models import LegalHold, RetentionReview, RetentionSchedule
from tests.retention.conftest import item, schedule

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def lead_client(client, police_lead):
    client.force_login(police_lead)
    return client


@pytest.fixture
def queued(police, person):
    schedule("risk", period=2, unit="years", trigger="recorded", action="review")
    item(person=person, agency=police, code="risk", recorded=dt.date(2019, 1, 1))
    sweep.sweep(TODAY)
    return RetentionReview.objects.get()


def test_practitioners_cannot_open_the_review_queue(client, officer, queued):
    client.force_login(officer)
    response = client.get("/retention/reviews/")
    assert response.status_code == 403
    assert "Jordan Whitlock" not in response.content.decode()


def test_the_queue_lists_the_agencys_items_and_why_a_hold_blocks_disposal(
    lead_client, queued, police_lead, person
):
    LegalHold.objects.create(
        person=person,
        reason="Civil claim 2026-CL-0142",
        placed_by=police_lead,
        placing_agency=police_lead.agency,
    )
    page = lead_client.get("/retention/reviews/").content.decode()
    assert "Jordan Whitlock" in page and "Risk assessment" in page
    assert "Civil claim 2026-CL-0142" in page


def test_another_agencys_lead_sees_none_of_the_queue(client, probation_lead, queued):
    client.force_login(probation_lead)
    assert "Jordan Whitlock" not in client.get("/retention/reviews/").content.decode()
    assert client.get(f"/retention/reviews/{queued.pk}/").status_code == 404


def test_retaining_without_a_reason_shows_the_error_summary(lead_client, queued):
    response = lead_client.post(f"/retention/reviews/{queued.pk}/", {"reason": "", "retain_until-day": "31"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why the information is still needed" in page
    assert "The date to review the information again must include a month and year" in page
    queued.refresh_from_db()
    assert queued.status == "open"


def test_bad_schedule_input_gets_clear_errors_and_changes_nothing(lead_client):
    before = list(RetentionSchedule.objects.values_list("pk", "period", "unit"))
    response = lead_client.post(
        "/retention/schedules/contact/", {"period": "two", "unit": "weeks", "trigger": "", "reasoning": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "The period must be a whole number, like 6",
        "Select days, months or years",
        "Select what the period counts from",
        "Select what happens when the period ends",
        "Enter why the information is kept this long",
    ):
        assert message in page
    assert list(RetentionSchedule.objects.values_list("pk", "period", "unit")) == before


def test_too_long_a_period_is_refused(lead_client):
    response = lead_client.post(
        "/retention/schedules/contact/",
        {"period": "101", "unit": "years", "trigger": "recorded", "action": "review", "reasoning": "x"},
    )
    assert "The period must be 100 years or less" in response.content.decode()


def test_an_ig_lead_sets_and_then_drops_their_agencys_own_schedule(lead_client, police):
    response = lead_client.post(
        "/retention/schedules/contact/",
        {
            "period": "3",
            "unit": "years",
            "trigger": "last_contact",
            "action": "dispose",
            "reasoning": "Force policy",
        },
    )
    assert response.status_code == 302
    own = RetentionSchedule.objects.get(category__code="contact", holding_agency=police)
    assert own.describe() == "3 years after the person's last contact, then dispose"
    assert "Your agency's" in lead_client.get("/retention/schedules/").content.decode()
    lead_client.post("/retention/schedules/contact/default/")
    assert not RetentionSchedule.objects.filter(holding_agency=police).exists()


def test_items_to_check_lists_the_agencys_stale_items(client, officer, police, probation, person):
    stale = item(person=person, agency=police, code="contact", recorded=dt.date(2020, 1, 1))
    item(person=person, agency=probation, code="health", recorded=dt.date(2020, 1, 1))
    client.force_login(officer)
    page = client.get("/retention/accuracy/").content.decode()
    assert "1 item past its review date" in page
    assert f"/records/items/{stale.pk}/change/" in page
    # The kind filter offers every kind; probation's item is not among the rows.
    assert "Physical and mental health" not in page.split('data-testid="stale-items"')[1]


def test_the_restriction_page_restricts_and_lifts(lead_client, police, person):
    disputed = item(person=person, agency=police, code="accommodation", recorded=TODAY - dt.timedelta(days=3))
    url = f"/retention/items/{disputed.pk}/restriction/"
    assert lead_client.post(url, {"action": "restrict", "reason": ""}).status_code == 400
    assert lead_client.post(url, {"action": "restrict", "reason": "Disputed address"}).status_code == 302
    assert "Restricted since" in lead_client.get(url).content.decode()
    assert lead_client.post(f"{url}lift/", {"lift_reason": "Confirmed"}).status_code == 302
    assert "Not restricted" in lead_client.get(url).content.decode()


def test_the_is_stale_filter_marks_items_past_review(police, person):
    old = item(person=person, agency=police, code="contact", recorded=dt.date(2020, 1, 1))
    rendered = Template("{% load retention_tags %}{% if item|is_stale %}stale{% else %}fresh{% endif %}")
    assert rendered.render(Context({"item": old})) == "stale"
    old.review_by = dt.date(2099, 1, 1)
    assert rendered.render(Context({"item": old})) == "fresh"


def test_restricting_and_lifting_are_separate_forms_with_their_own_addresses(lead_client, police, person):
    disputed = item(person=person, agency=police, code="accommodation", recorded=TODAY - dt.timedelta(days=3))
    url = f"/retention/items/{disputed.pk}/restriction/"
    lift = f"{url}lift/"
    assert lift not in lead_client.get(url).content.decode()
    lead_client.post(url, {"reason": "Disputed address"})
    assert f'action="{lift}"' in lead_client.get(url).content.decode()
    assert lead_client.get(lift).status_code == 405
    refused = lead_client.post(lift, {"lift_reason": " "})
    page = refused.content.decode()
    assert refused.status_code == 400 and "<title>Error: Restrict information" in page
    assert 'href="#lift_reason"' in page and "Restricted since" in page


def test_going_back_to_the_default_schedule_is_its_own_form(lead_client, police):
    fields = {
        "period": "3",
        "unit": "years",
        "trigger": "last_contact",
        "action": "dispose",
        "reasoning": "Policy",
    }
    lead_client.post("/retention/schedules/contact/", fields)
    page = lead_client.get("/retention/schedules/contact/").content.decode()
    assert 'action="/retention/schedules/contact/default/"' in page
    assert lead_client.get("/retention/schedules/contact/default/").status_code == 405
    assert lead_client.post("/retention/schedules/contact/default/").status_code == 302
    assert not RetentionSchedule.objects.filter(holding_agency=police).exists()
