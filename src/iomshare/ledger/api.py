"""The ledger reports through the machine API: the same selectors and rules as the web pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from iomshare.kit.api import PROBLEMS, caller
from iomshare.ledger import selectors, services

router = Router(tags=["ledger"])


class ReportParams(Schema):
    start: dt.date | None = Field(None, description="First day to include (YYYY-MM-DD).")
    end: dt.date | None = Field(None, description="Last day to include (YYYY-MM-DD).")
    after: str | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)


class EntryOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_username: str
    actor_agency: str
    channel: str
    action: str
    purpose: str
    person_id: uuid.UUID | None
    item_ids: list[str]
    holding_agencies: list[str]
    clauses: list[str]
    outcome: str
    request_id: str
    client_address: str
    details: dict[str, Any]
    lane: int
    lane_seq: int
    entry_hash: str


class ReportOut(Schema):
    subject: str
    results: list[EntryOut]
    next: str | None = Field(None, description="Pass as `after` for the next (older) page; null at the end.")


def _report(request: HttpRequest, kind: str, key: str, params: ReportParams) -> dict[str, Any]:
    viewer = caller(request)
    subject = selectors.report_subject(kind, key, viewer=viewer)
    dates = selectors.DateRange(params.start, params.end)
    page = selectors.report_page(kind, subject.key, dates, after=params.after, limit=params.limit)
    services.record_report(
        by=viewer,
        kind=kind,
        subject_key=subject.key,
        person_id=subject.person_id,
        dates=dates,
        output="api",
        after=params.after,
    )
    return {"subject": subject.label, "results": page.entries, "next": page.next_cursor}


@router.get(
    "/ledger/persons/{person_id}/entries", response={200: ReportOut, **PROBLEMS}, url_name="ledger-person"
)
def person_report(request: HttpRequest, person_id: uuid.UUID, params: Query[ReportParams]):
    """Who saw what about a person, when, for what purpose, under which clause (newest first)."""
    return _report(request, selectors.ReportKind.PERSON, str(person_id), params)


@router.get(
    "/ledger/agencies/{code}/disclosures", response={200: ReportOut, **PROBLEMS}, url_name="ledger-agency"
)
def agency_report(request: HttpRequest, code: str, params: Query[ReportParams]):
    """What an agency disclosed to staff of other agencies, and under which protocol clause."""
    return _report(request, selectors.ReportKind.AGENCY, code, params)


@router.get(
    "/ledger/staff/{staff_id}/entries", response={200: ReportOut, **PROBLEMS}, url_name="ledger-staff"
)
def staff_report(request: HttpRequest, staff_id: int, params: Query[ReportParams]):
    """Everything a staff member did and saw (for misuse investigations)."""
    return _report(request, selectors.ReportKind.STAFF, str(staff_id), params)
