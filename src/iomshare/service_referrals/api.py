"""Referrals to services and informal exchanges through the machine API: the same services and
rules as the web pages. Item content is never in these answers: read shared items through the
person's items for the referral's purpose (the one door)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from iomshare.errors import InvalidInput, NotFound
from iomshare.exchange.auth import caller
from iomshare.exchange.schemas import PROBLEMS
from iomshare.people.selectors import person_profile
from iomshare.service_referrals import exchanges, selectors, services
from iomshare.service_referrals.models import InformalExchange, ServiceOffer, ServiceReferral

router = Router(tags=["referrals to services"])


class ServiceOut(Schema):
    id: int
    agency: str
    name: str
    kind: str
    purpose: str
    description: str


class ReferralIn(Schema):
    person: uuid.UUID
    service: int = Field(description="Id of an open service of another agency (GET /services).")
    reason: str = Field(max_length=services.MAX_TEXT, description="Why the service fits the person.")
    item_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=services.MAX_ITEMS,
        description="Items to send: each must pass the door for the service's contact, for its purpose.",
    )


class SharedItemOut(Schema):
    item_id: uuid.UUID
    holding_agency: str
    category: str
    clause: str = Field(description="The protocol clause relied on ('own': the receiver's own record).")


class ReferralOut(Schema):
    id: int
    person: uuid.UUID
    service: int
    referring_agency: str
    receiving_agency: str
    purpose: str
    reason: str
    status: Literal["sent", "accepted", "declined", "completed"]
    sent_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    completed_at: dt.datetime | None
    completion_note: str
    shared_items: list[SharedItemOut]


class ReferralList(Schema):
    results: list[ReferralOut]


class DecisionIn(Schema):
    decision: Literal["accept", "decline", "complete"]
    reason: str = Field("", max_length=services.MAX_TEXT, description="Needed to decline.")


class ListParams(Schema):
    direction: Literal["", "sent", "received"] = Field("", description="Sent by or received by your agency.")


class ExchangeIn(Schema):
    person: uuid.UUID
    other_agency: str = Field(max_length=60, description="Code of the agency spoken with.")
    other_person: str = Field(max_length=120, description="Who at that agency: name and role.")
    channel: Literal["co_located", "phone", "meeting", "email", "other"]
    happened_on: dt.date
    what: str = Field(max_length=exchanges.MAX_WHAT, description="What was shared or agreed.")


class ExchangeOut(Schema):
    id: int
    person: uuid.UUID
    recorded_by: str
    recording_agency: str
    other_agency: str
    other_person: str
    channel: str
    happened_on: dt.date
    item_id: uuid.UUID = Field(description="The item holding what was said: read it through the door.")


class ExchangeList(Schema):
    results: list[ExchangeOut]


def _service_out(offer: ServiceOffer) -> dict:
    return {
        "id": offer.pk,
        "agency": offer.agency.code,
        "name": offer.name,
        "kind": offer.kind,
        "purpose": offer.purpose.code,
        "description": offer.description,
    }


def _out(referral: ServiceReferral) -> dict:
    return {
        "id": referral.pk,
        "person": referral.person_id,
        "service": referral.service_id,
        "referring_agency": referral.referring_agency.code,
        "receiving_agency": referral.receiving_agency.code,
        "purpose": referral.purpose.code,
        "reason": referral.reason,
        "status": referral.status,
        "sent_at": referral.sent_at,
        "decided_at": referral.decided_at,
        "decision_reason": referral.decision_reason,
        "completed_at": referral.completed_at,
        "completion_note": referral.completion_note,
        "shared_items": [
            {
                "item_id": shared.item_id,
                "holding_agency": shared.holding_agency.code,
                "category": shared.category.code,
                "clause": shared.clause,
            }
            for shared in referral.shared_items.select_related("holding_agency", "category")
        ],
    }


def _exchange_out(exchange: InformalExchange) -> dict:
    return {
        "id": exchange.pk,
        "person": exchange.person_id,
        "recorded_by": exchange.recorded_by.username,
        "recording_agency": exchange.recording_agency.code,
        "other_agency": exchange.other_agency.code,
        "other_person": exchange.other_person,
        "channel": exchange.channel,
        "happened_on": exchange.happened_on,
        "item_id": exchange.item_id,
    }


def _visible(request: HttpRequest, referral_id: int) -> ServiceReferral:
    found = selectors.referral_for(caller(request), referral_id)
    if found is None:
        raise NotFound(f"There is no referral {referral_id} that your agency sent or received.")
    return found


@router.get("/services", response={200: list[ServiceOut], **PROBLEMS}, url_name="services")
def list_services(request: HttpRequest):
    """Every agency's services that take referrals now."""
    return [_service_out(offer) for offer in selectors.open_services()]


@router.post("/service-referrals", response={201: ReferralOut, **PROBLEMS}, url_name="service-referrals-make")
def make_referral(request: HttpRequest, payload: ReferralIn):
    """Refer a person to another agency's service, sending items the protocols let it see."""
    viewer = caller(request)
    person = person_profile(payload.person, viewer)
    if person is None:
        raise NotFound(f"There is no person with the id {payload.person}.")
    service = selectors.open_services().filter(pk=payload.service).first()
    if service is None:
        raise InvalidInput(
            f"There is no open service {payload.service}.",
            field_errors={"service": f"There is no open service {payload.service}: see GET /services"},
        )
    made = services.refer_to_service(
        by=viewer, person=person, service=service, reason=payload.reason, item_ids=payload.item_ids
    )
    return Status(201, _out(_visible(request, made.pk)))


@router.get("/service-referrals", response={200: ReferralList, **PROBLEMS}, url_name="service-referrals")
def list_referrals(request: HttpRequest, params: Query[ListParams]):
    """Referrals your agency sent or received, newest first."""
    found = selectors.referrals_for(caller(request), direction=params.direction)[:500]
    return {"results": [_out(referral) for referral in found]}


@router.get(
    "/service-referrals/{service_referral_id}",
    response={200: ReferralOut, **PROBLEMS},
    url_name="service-referral",
)
def get_referral(request: HttpRequest, service_referral_id: int):
    """One referral your agency sent or received."""
    return _out(_visible(request, service_referral_id))


@router.post(
    "/service-referrals/{service_referral_id}/decision",
    response={200: ReferralOut, **PROBLEMS},
    url_name="service-referral-decide",
)
def decide(request: HttpRequest, service_referral_id: int, payload: DecisionIn):
    """Accept, decline (with a reason) or complete a referral: the receiving agency's staff."""
    found = _visible(request, service_referral_id)
    services.decide_referral(found, by=caller(request), decision=payload.decision, reason=payload.reason)
    return _out(_visible(request, service_referral_id))


@router.post(
    "/informal-exchanges", response={201: ExchangeOut, **PROBLEMS}, url_name="informal-exchanges-record"
)
def record_exchange(request: HttpRequest, payload: ExchangeIn):
    """Record a conversation with another agency about a person (what was said becomes an item)."""
    viewer = caller(request)
    person = person_profile(payload.person, viewer)
    if person is None:
        raise NotFound(f"There is no person with the id {payload.person}.")
    made = exchanges.record_exchange(
        by=viewer,
        person=person,
        other_agency=payload.other_agency,
        other_person=payload.other_person,
        channel=payload.channel,
        happened_on=payload.happened_on,
        what=payload.what,
    )
    return Status(201, _exchange_out(made))


@router.get("/informal-exchanges", response={200: ExchangeList, **PROBLEMS}, url_name="informal-exchanges")
def list_exchanges(request: HttpRequest):
    """Conversations your agency recorded or was named in, newest first."""
    return {"results": [_exchange_out(e) for e in selectors.exchanges_for(caller(request))[:500]]}
