"""Subject access requests through the machine API: where each stands, for IG leads' own systems.

Read-only, and the same rules as the web pages: only IG leads of agencies taking part see a request.
Decisions on items are made on the web pages, where the item is read and its parts chosen.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from iomshare.errors import NotPermitted
from iomshare.kit.api import PROBLEMS, caller
from iomshare.subject_access import selectors, services
from iomshare.subject_access.models import SubjectAccessRequest

router = Router(tags=["subject access requests"])


class AgencyPartOut(Schema):
    agency: str
    confirmed: bool
    released: int | None
    withheld: int | None


class SubjectAccessOut(Schema):
    id: int
    reference: str
    person: uuid.UUID
    coordinating_agency: str
    status: str
    received_on: dt.date
    identity_checked_on: dt.date | None
    due_on: dt.date
    extension_months: int
    released_on: dt.date | None
    agencies: list[AgencyPartOut]


def _out(sar: SubjectAccessRequest) -> dict:
    return {
        "id": sar.pk,
        "reference": sar.reference,
        "person": sar.person_id,
        "coordinating_agency": sar.coordinating_agency.code,
        "status": sar.status,
        "received_on": sar.received_on,
        "identity_checked_on": sar.identity_checked_on,
        "due_on": sar.due_on,
        "extension_months": sar.extension_months,
        "released_on": sar.released_on,
        "agencies": [
            {
                "agency": row.agency.code,
                "confirmed": row.is_complete,
                "released": row.released if row.is_complete else None,
                "withheld": row.withheld if row.is_complete else None,
            }
            for row in selectors.progress(sar)
        ],
    }


def _ig_lead(request: HttpRequest):
    viewer = caller(request)
    if not services.is_ig_lead(viewer):
        raise NotPermitted("Subject access requests are handled by information-governance leads.")
    return viewer


@router.get(
    "/subject-access-requests", response={200: list[SubjectAccessOut], **PROBLEMS}, url_name="sar-list"
)
def list_requests(request: HttpRequest):
    """Requests the caller's agency coordinates or holds information for, soonest deadline first."""
    return [_out(sar) for sar in selectors.requests_for(_ig_lead(request))]


@router.get(
    "/subject-access-requests/{request_id}",
    response={200: SubjectAccessOut, **PROBLEMS},
    url_name="sar-detail",
)
def get_request(request: HttpRequest, request_id: int):
    """One request: its deadline and each holding agency's part (counts only, never content)."""
    return _out(selectors.request_for(_ig_lead(request), request_id))
