"""The pages: refer with items, decide, record a conversation; people one may not know are 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.service_referrals.models import InformalExchange, ServiceReferral
from tests.factories import PersonFactory
from tests.service_referrals.conftest import REASON

pytestmark = pytest.mark.django_db


def test_the_person_page_offers_both_buttons(client, practitioner, referred):
    client.force_login(practitioner)
    page = client.get(reverse("people:person", args=[referred.pk])).content.decode()
    assert "Refer to another agency's service" in page and "Record a conversation with another agency" in page


def test_refer_with_items_then_the_charity_accepts(
    client, practitioner, coordinator, volunteering, referred, items
):
    client.force_login(practitioner)
    url = reverse("service_referrals:refer", args=[referred.pk])
    page = client.get(url, {"service": volunteering.pk}).content.decode()
    assert "Completed a thinking skills programme" in page
    response = client.post(
        url, {"service": volunteering.pk, "reason": REASON, "item_ids": [str(items["intervention"].pk)]}
    )
    referral = ServiceReferral.objects.get()
    assert response.status_code == 302
    client.force_login(coordinator)
    url = reverse("service_referrals:referral", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Completed a thinking skills programme" not in page and "Save the decision" in page
    page = client.get(url, {"purpose": "volunteering_placement"}).content.decode()
    assert "Completed a thinking skills programme" in page
    client.post(reverse("service_referrals:decide", args=[referral.pk]), {"decision": "accept"})
    referral.refresh_from_db()
    assert referral.status == "accepted"
    listed = client.get(reverse("service_referrals:referrals")).content.decode()
    assert "Accepted" in listed and referred.full_name in listed


def test_a_refused_item_is_shown_with_its_reason(client, practitioner, volunteering, referred, items):
    client.force_login(practitioner)
    response = client.post(
        reverse("service_referrals:refer", args=[referred.pk]),
        {"service": volunteering.pk, "reason": REASON, "item_ids": [str(items["risk"].pk)]},
    )
    assert response.status_code == 422
    assert "may not see it for this purpose" in response.content.decode()
    assert not ServiceReferral.objects.exists()


def test_decline_without_reason_shows_the_error(client, coordinator, referral):
    client.force_login(coordinator)
    response = client.post(reverse("service_referrals:decide", args=[referral.pk]), {"decision": "decline"})
    assert response.status_code == 422 and "Enter the reason for declining" in response.content.decode()


def test_record_a_conversation(client, practitioner, referred, charity):
    client.force_login(practitioner)
    day = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("service_referrals:record-exchange", args=[referred.pk]),
        {
            "other_agency": "charity",
            "other_person": "Cara Dunn, coordinator",
            "channel": "co_located",
            "happened_on-day": day.day,
            "happened_on-month": day.month,
            "happened_on-year": day.year,
            "what": "Talked through a placement at the community garden.",
        },
    )
    exchange = InformalExchange.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("service_referrals:exchange", args=[exchange.pk])).content.decode()
    assert "Talked through a placement" in page


def test_a_referral_about_someone_the_viewer_may_not_know_is_not_found(client, referral, police):
    from tests.factories import StaffMemberFactory

    client.force_login(StaffMemberFactory(agency=police))
    assert client.get(reverse("service_referrals:referral", args=[referral.pk])).status_code == 404
    client.force_login(referral.referred_by)
    stranger = PersonFactory()
    assert client.get(reverse("service_referrals:refer", args=[stranger.pk])).status_code == 404


def test_the_services_page_lets_managers_offer(client, charity_manager, coordinator, volunteering_protocol):
    client.force_login(charity_manager)
    response = client.post(
        reverse("service_referrals:services"),
        {
            "name": "Community garden",
            "kind": "volunteering",
            "purpose": "volunteering_placement",
            "contact": coordinator.pk,
        },
    )
    assert response.status_code == 302
    assert "Community garden" in client.get(reverse("service_referrals:services")).content.decode()
