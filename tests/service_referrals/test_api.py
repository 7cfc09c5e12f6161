"""Referrals to services and informal exchanges through the API: the same rules, problem details."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.tokens import issue_token
from iomshare.service_referrals.models import InformalExchange, ServiceReferral
from tests.exchange.conftest import ApiClient
from tests.service_referrals.conftest import REASON

pytestmark = pytest.mark.django_db


@pytest.fixture
def probation_api(client, practitioner):
    return ApiClient(client, issue_token(for_staff=practitioner, name="probation case system", by=None)[1])


@pytest.fixture
def charity_api(client, coordinator):
    return ApiClient(client, issue_token(for_staff=coordinator, name="charity system", by=None)[1])


def test_a_referral_made_through_the_api_is_listed_decided_and_read_back(
    probation_api, charity_api, volunteering, referred, items
):
    assert [s["name"] for s in probation_api.get("/services").json()] == ["Volunteering placements"]
    response = probation_api.post(
        "/service-referrals",
        {
            "person": str(referred.pk),
            "service": volunteering.pk,
            "reason": REASON,
            "item_ids": [str(items["intervention"].pk)],
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "sent" and made["receiving_agency"] == "charity"
    assert [s["item_id"] for s in made["shared_items"]] == [str(items["intervention"].pk)]
    assert made["shared_items"][0]["clause"]
    received = charity_api.get("/service-referrals?direction=received").json()["results"]
    assert [r["id"] for r in received] == [made["id"]]
    assert probation_api.get("/service-referrals?direction=received").json()["results"] == []
    decided = charity_api.post(f"/service-referrals/{made['id']}/decision", {"decision": "accept"})
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert probation_api.get(f"/service-referrals/{made['id']}").json()["status"] == "accepted"


def test_an_item_the_receiver_may_not_see_is_a_problem_and_nothing_is_sent(
    probation_api, volunteering, referred, items
):
    response = probation_api.post(
        "/service-referrals",
        {
            "person": str(referred.pk),
            "service": volunteering.pk,
            "reason": REASON,
            "item_ids": [str(items["risk"].pk)],
        },
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    fields = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "may not see it for this purpose" in fields["item_ids"]
    assert not ServiceReferral.objects.exists()


def test_declining_without_a_reason_is_a_problem(charity_api, referral):
    response = charity_api.post(f"/service-referrals/{referral.pk}/decision", {"decision": "decline"})
    assert response.status_code == 422
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_the_referrer_cannot_decide(probation_api, referral):
    response = probation_api.post(f"/service-referrals/{referral.pk}/decision", {"decision": "accept"})
    assert response.status_code == 403


def test_an_unknown_service_is_a_problem(probation_api, referred, charity):
    response = probation_api.post(
        "/service-referrals", {"person": str(referred.pk), "service": 999, "reason": REASON}
    )
    assert response.status_code == 422


def test_an_informal_exchange_recorded_and_listed_through_the_api(
    probation_api, charity_api, referred, charity, volunteering_protocol
):
    # the charity may know the person through the volunteering protocol (invariant 10)
    response = probation_api.post(
        "/informal-exchanges",
        {
            "person": str(referred.pk),
            "other_agency": "charity",
            "other_person": "Cara Dunn, coordinator",
            "channel": "phone",
            "happened_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            "what": "Agreed a first meeting at the charity's office next Tuesday.",
        },
    )
    assert response.status_code == 201, response.content
    assert [e["id"] for e in charity_api.get("/informal-exchanges").json()["results"]] == [
        response.json()["id"]
    ]


def test_a_bad_exchange_is_a_problem_and_records_nothing(probation_api, referred, charity):
    response = probation_api.post(
        "/informal-exchanges",
        {
            "person": str(referred.pk),
            "other_agency": "probation",
            "other_person": "Me",
            "channel": "phone",
            "happened_on": timezone.localdate().isoformat(),
            "what": "x",
        },
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"other_agency", "what"} <= fields
    assert not InformalExchange.objects.exists()
