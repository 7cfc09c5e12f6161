"""Requests for information through the machine API: the same services and rules as the web pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from iomshare.errors import NotFound
from iomshare.information_requests import selectors, services
from iomshare.information_requests.candidates import candidate_items
from iomshare.information_requests.models import InformationRequest
from iomshare.kit.api import PROBLEMS, caller
from iomshare.people.selectors import person_profile

router = Router(tags=["requests for information"])

Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


class RequestIn(Schema):
    person: uuid.UUID = Field(description="The person the information is about.")
    holding_agency: Code = Field(description="Code of the agency that holds the information.")
    category: Code = Field(description="Category code of the information wanted.")
    purpose: Code = Field(description="Purpose code: need not be one a protocol covers.")
    legal_gateway: Code = Field(description="Code of the legal gateway relied on (docs/protocols.md).")
    justification: Annotated[str, StringConstraints(max_length=services.MAX_JUSTIFICATION)] = Field(
        description=f"Why it is needed: at least {services.MIN_JUSTIFICATION} characters."
    )
    urgency: Literal["routine", "urgent", "immediate"] = "routine"


class DecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    item_ids: list[uuid.UUID] = Field(default_factory=list, description="Items to disclose (approve).")
    expires_on: dt.date | None = Field(None, description="Last day the items are disclosed (approve).")
    reason: str = Field("", max_length=5000, description="Why it is refused (refuse).")
    note: str = Field("", max_length=5000, description="A note to the requester (approve).")


class WithdrawIn(Schema):
    reason: str = Field(max_length=5000)


class RequestOut(Schema):
    id: int
    person: uuid.UUID
    requested_by: str
    requesting_agency: str
    holding_agency: str
    category: str
    purpose: str
    legal_gateway: str
    justification: str
    urgency: str
    requested_at: dt.datetime
    purpose_was_covered: bool = Field(description="Whether any protocol covered the purpose when asked.")
    covered_by_protocol: bool = Field(
        description="Whether a clause covered this category, agency and purpose."
    )
    refusal_reason: str = Field(description="Why the requester could not see it when they asked.")
    status: str = Field(description="awaiting, approved, refused or withdrawn.")
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    expires_on: dt.date | None
    is_in_force: bool = Field(description="Whether the approved items are disclosed today.")
    approved_item_ids: list[uuid.UUID]


class RequestList(Schema):
    results: list[RequestOut]


class CandidateOut(Schema):
    id: uuid.UUID
    summary: str
    sensitivity: str
    recorded_at: dt.datetime


class ListParams(Schema):
    to_my_agency: bool = Field(
        False, description="Information-governance leads: requests to your agency instead of your own."
    )


def _out(request: InformationRequest) -> dict:
    return {
        "id": request.pk,
        "person": request.person_id,
        "requested_by": request.requested_by.username,
        "requesting_agency": request.requesting_agency.code,
        "holding_agency": request.holding_agency.code,
        "category": request.category.code,
        "purpose": request.purpose.code,
        "legal_gateway": request.legal_gateway.code,
        "justification": request.justification,
        "urgency": request.urgency,
        "requested_at": request.requested_at,
        "purpose_was_covered": request.purpose_was_covered,
        "covered_by_protocol": request.covered_by_protocol,
        "refusal_reason": request.refusal_reason,
        "status": request.status,
        "decided_by": request.decided_by.username if request.decided_by else None,
        "decided_at": request.decided_at,
        "decision_reason": request.decision_reason,
        "expires_on": request.expires_on,
        "is_in_force": request.is_in_force(),
        "approved_item_ids": sorted((a.item_id for a in request.approved_items.all()), key=str),
    }


def _visible(request: HttpRequest, request_id: int) -> InformationRequest:
    found = selectors.request_for(caller(request), request_id)
    if found is None:
        raise NotFound(f"There is no request {request_id} that you made or may decide.")
    return found


@router.post(
    "/information-requests", response={201: RequestOut, **PROBLEMS}, url_name="information-requests-make"
)
def make_request(request: HttpRequest, payload: RequestIn):
    """Ask a holding agency for information you cannot see; its information-governance lead decides."""
    person = person_profile(payload.person, caller(request))
    if person is None:
        raise NotFound(f"There is no person with the id {payload.person}.")
    made = services.make_request(
        by=caller(request),
        person=person,
        holding_agency=payload.holding_agency,
        category=payload.category,
        purpose=payload.purpose,
        legal_gateway=payload.legal_gateway,
        justification=payload.justification,
        urgency=payload.urgency,
    )
    return Status(201, _out(_visible(request, made.pk)))


@router.get("/information-requests", response={200: RequestList, **PROBLEMS}, url_name="information-requests")
def list_requests(request: HttpRequest, params: Query[ListParams]):
    """Your requests, newest first; or, for an IG lead with `to_my_agency`, the requests to your agency."""
    viewer = caller(request)
    found = (
        selectors.queue_for(viewer).prefetch_related("approved_items")
        if params.to_my_agency
        else (selectors.requests_made_by(viewer))
    )
    return {"results": [_out(r) for r in found]}


@router.get(
    "/information-requests/{request_id}",
    response={200: RequestOut, **PROBLEMS},
    url_name="information-request",
)
def get_request(request: HttpRequest, request_id: int):
    """One request you made, or one to your agency if you are its information-governance lead."""
    return _out(_visible(request, request_id))


@router.get(
    "/information-requests/{request_id}/candidate-items",
    response={200: list[CandidateOut], **PROBLEMS},
    url_name="information-request-candidates",
)
def candidates(request: HttpRequest, request_id: int):
    """For the holding agency's IG lead: the items the request could disclose (the read is on the ledger)."""
    viewer = caller(request)
    found = _visible(request, request_id)
    if not selectors.may_decide(viewer, found):
        raise NotFound(f"There is no request {request_id} that you may decide.")
    return [
        {
            "id": item.pk,
            "summary": item.summary,
            "sensitivity": item.get_sensitivity_display(),
            "recorded_at": item.recorded_at,
        }
        for item in candidate_items(found, by=viewer)
    ]


@router.post(
    "/information-requests/{request_id}/decision",
    response={200: RequestOut, **PROBLEMS},
    url_name="information-request-decide",
)
def decide(request: HttpRequest, request_id: int, payload: DecisionIn):
    """Approve named items until a date, or refuse with a reason: the holding agency's IG lead only."""
    viewer = caller(request)
    found = _visible(request, request_id)
    if payload.decision == "approve":
        services.approve_request(
            found, by=viewer, item_ids=payload.item_ids, expires_on=payload.expires_on, note=payload.note
        )
    else:
        services.refuse_request(found, by=viewer, reason=payload.reason)
    return _out(_visible(request, request_id))


@router.post(
    "/information-requests/{request_id}/withdrawal",
    response={200: RequestOut, **PROBLEMS},
    url_name="information-request-withdraw",
)
def withdraw(request: HttpRequest, request_id: int, payload: WithdrawIn):
    """Withdraw an approval before it expires: the holding agency's IG lead only."""
    found = _visible(request, request_id)
    services.withdraw_approval(found, by=caller(request), reason=payload.reason)
    return _out(_visible(request, request_id))
