"""Reads of requests for information: one-off disclosures in force, the queues, and the gap report.

No item content is read here: items are named by id only. records.selectors imports this module,
so it must not import records.selectors (candidates.py does that).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from iomshare import plain_sql as sql
from iomshare.information_requests.models import ApprovedItem, InformationRequest, RequestStatus
from iomshare.partnership.models import Role, StaffMember
from iomshare.protocols.models import Purpose

GAP_REPORT_ROLES = frozenset({Role.IG_LEAD, Role.PARTNERSHIP_MANAGER})


def approved_item_ids(
    viewer: StaffMember, person_id, purpose_code: str | None, *, on: dt.date
) -> dict[uuid.UUID, int]:
    """Item id -> request id, for `viewer`'s approved, unexpired requests about a person for a purpose.

    A one-off disclosure is for the purpose it was asked for: another purpose, another person,
    someone else, a withdrawn or an expired approval, discloses nothing. One plain query: every read
    of a person for a purpose passes here (see iomshare.plain_sql).
    """
    if not purpose_code or getattr(viewer, "pk", None) is None:
        return {}
    request = InformationRequest
    rows = sql.rows(
        _approved_items_sql(connection.vendor),
        [
            viewer.pk,
            sql.param(request, "person", person_id),
            purpose_code,
            RequestStatus.APPROVED,
            sql.param(request, "expires_on", on),
        ],
    )
    found: dict[uuid.UUID, int] = {}
    for item_id, request_id in rows:
        found.setdefault(sql.as_uuid(item_id), request_id)
    return found


@lru_cache(maxsize=2)
def _approved_items_sql(vendor: str) -> str:
    request, item, purpose = InformationRequest, ApprovedItem, Purpose
    return (
        f"SELECT a.{sql.column(item, 'item_id')}, a.{sql.column(item, 'request')} "  # noqa: S608
        f"FROM {sql.table(item)} a JOIN {sql.table(request)} r "
        f"ON r.{sql.column(request, 'id')} = a.{sql.column(item, 'request')} "
        f"JOIN {sql.table(purpose)} p ON p.{sql.column(purpose, 'id')} = r.{sql.column(request, 'purpose')} "
        f"WHERE r.{sql.column(request, 'requested_by')} = %s AND r.{sql.column(request, 'person')} = %s "
        f"AND p.{sql.column(purpose, 'code')} = %s AND r.{sql.column(request, 'status')} = %s "
        f"AND r.{sql.column(request, 'expires_on')} >= %s"
    )


def approved_purpose_codes(viewer: StaffMember, person_id, *, on: dt.date) -> set[str]:
    """Purposes for which `viewer` holds an approved, unexpired one-off disclosure about a person.

    The person page offers these beside the protocols' purposes, so an approval for a purpose no
    protocol covers can still be read.
    """
    return set(
        InformationRequest.objects.filter(
            requested_by_id=viewer.pk, person_id=person_id, status=RequestStatus.APPROVED, expires_on__gte=on
        ).values_list("purpose__code", flat=True)
    )


def _with_names(query: QuerySet[InformationRequest]) -> QuerySet[InformationRequest]:
    return query.select_related(
        "person",
        "requested_by",
        "requesting_agency",
        "holding_agency",
        "category",
        "purpose",
        "legal_gateway",
        "decided_by",
    )


# Volunteers are left out: a one-off disclosure to a volunteer would open what no protocol names
# volunteers for (invariant 5). They ask a member of staff instead.
REQUESTER_ROLES = frozenset({Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM})


def may_ask_for_information(member: StaffMember) -> bool:
    """Whether `member` may ask another agency for a one-off disclosure (volunteers ask staff)."""
    return member.agency_id is not None and not member.is_volunteer and member.role in REQUESTER_ROLES


def requests_made_by(viewer: StaffMember) -> QuerySet[InformationRequest]:
    """The viewer's own requests, newest first ("My requests")."""
    return _with_names(InformationRequest.objects.filter(requested_by=viewer)).prefetch_related(
        "approved_items"
    )


def queue_for(viewer: StaffMember) -> QuerySet[InformationRequest]:
    """Requests to the viewer's agency, for its information-governance leads: awaiting first, oldest first."""
    if viewer.role != Role.IG_LEAD or viewer.agency_id is None:
        return InformationRequest.objects.none()
    awaiting_first = Case(When(status=RequestStatus.AWAITING_DECISION, then=Value(0)), default=Value(1))
    return _with_names(InformationRequest.objects.filter(holding_agency_id=viewer.agency_id)).order_by(
        awaiting_first, "due_on", "requested_at", "id"
    )


def may_decide(viewer: StaffMember, request: InformationRequest) -> bool:
    """Only the holding agency's information-governance lead decides, and never on their own request."""
    return (
        viewer.role == Role.IG_LEAD
        and viewer.agency_id is not None
        and viewer.agency_id == request.holding_agency_id
        and viewer.pk != request.requested_by_id
    )


def request_for(viewer: StaffMember, request_id) -> InformationRequest | None:
    """One request, if `viewer` made it or decides for its holding agency; None otherwise."""
    request = _with_names(InformationRequest.objects.filter(pk=request_id)).first()
    if request is None:
        return None
    if request.requested_by_id == viewer.pk or may_decide(viewer, request):
        return request
    return None


def approved_ids_of(request: InformationRequest) -> list[uuid.UUID]:
    return sorted(ApprovedItem.objects.filter(request=request).values_list("item_id", flat=True), key=str)


# --- the gap report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    """What practitioners of one agency asked another for, for one purpose and category."""

    purpose_code: str
    purpose: str
    category_code: str
    category: str
    requesting_agency_code: str
    requesting_agency: str
    holding_agency_code: str
    holding_agency: str
    requests: int  # not covered by any protocol, or refused (each request once)
    not_covered: int
    refused: int

    @property
    def label(self) -> str:
        return f"{self.purpose}: {self.category}, {self.requesting_agency} from {self.holding_agency}"


def gap_report(*, start: dt.date | None = None, end: dt.date | None = None) -> list[GapRow]:
    """Needs no protocol provides: requests no clause covered, and refused requests, by purpose,
    category and agency pair, over requests made from `start` to `end` (inclusive), most needed first.

    Counts only: nothing about any person or item.
    """
    not_covered = Q(covered_by_protocol=False)
    refused = Q(status=RequestStatus.REFUSED)
    query = InformationRequest.objects.filter(not_covered | refused)
    if start is not None:
        query = query.filter(requested_at__gte=_start_of(start))
    if end is not None:
        query = query.filter(requested_at__lt=_start_of(end + dt.timedelta(days=1)))
    rows = (
        query.values(
            "purpose__code",
            "purpose__name",
            "category__code",
            "category__name",
            "requesting_agency__code",
            "requesting_agency__name",
            "holding_agency__code",
            "holding_agency__name",
        )
        .annotate(
            requests=Count("id"),
            not_covered=Count("id", filter=not_covered),
            refused=Count("id", filter=refused),
        )
        .order_by()
    )
    report = [
        GapRow(
            purpose_code=row["purpose__code"],
            purpose=row["purpose__name"],
            category_code=row["category__code"],
            category=row["category__name"],
            requesting_agency_code=row["requesting_agency__code"],
            requesting_agency=row["requesting_agency__name"],
            holding_agency_code=row["holding_agency__code"],
            holding_agency=row["holding_agency__name"],
            requests=row["requests"],
            not_covered=row["not_covered"],
            refused=row["refused"],
        )
        for row in rows
    ]
    return sorted(
        report,
        key=lambda r: (-r.requests, r.purpose, r.category, r.requesting_agency, r.holding_agency),
    )


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the partnership's time zone (request times are stored in UTC)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
