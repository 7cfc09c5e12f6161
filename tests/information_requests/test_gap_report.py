"""The gap report counts exactly what a plain computation counts; its CSV is safe in a spreadsheet."""

import csv
import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from iomshare.information_requests import selectors
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.protocols.models import LegalGateway, Purpose
from iomshare.records.models import Category
from tests.factories import AgencyFactory, PersonFactory, StaffMemberFactory

STATUSES = [
    RequestStatus.AWAITING_DECISION,
    RequestStatus.APPROVED,
    RequestStatus.REFUSED,
    RequestStatus.WITHDRAWN,
]


def at_noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def many_requests(db):
    """120 requests with random agencies, purposes, categories, coverage, outcomes and days."""
    today = timezone.localdate()
    rng = random.Random(20261126)
    agencies = [
        AgencyFactory(code=code, name=f"Agency {code}") for code in ("police", "probation", "council")
    ]
    staff = {agency.pk: StaffMemberFactory(agency=agency) for agency in agencies}
    purposes = list(Purpose.objects.filter(code__in=["risk_management", "accommodation", "ete"]))
    categories = list(Category.objects.filter(code__in=["intelligence", "health", "accommodation"]))
    gateway = LegalGateway.objects.get(code="cda-1998-s115")
    people = [PersonFactory() for _ in range(3)]
    made = []
    for _ in range(120):
        asking, holding = rng.sample(agencies, 2)
        status = rng.choice(STATUSES)
        made.append(
            InformationRequest.objects.create(
                person=rng.choice(people),
                requested_by=staff[asking.pk],
                requesting_agency=asking,
                holding_agency=holding,
                category=rng.choice(categories),
                purpose=rng.choice(purposes),
                legal_gateway=gateway,
                justification="Synthetic request for the gap report test.",
                requested_at=at_noon(today - dt.timedelta(days=rng.randint(0, 60))),
                purpose_was_covered=rng.random() < 0.5,
                covered_by_protocol=rng.random() < 0.5,
                status=status,
                expires_on=today if status in {RequestStatus.APPROVED, RequestStatus.WITHDRAWN} else None,
            )
        )
    return made


def reference(requests, start=None, end=None):
    """The gap report written plainly: one pass over the requests."""
    counts = {}
    for r in requests:
        day = timezone.localtime(r.requested_at).date()
        if (start and day < start) or (end and day > end):
            continue
        not_covered, refused = not r.covered_by_protocol, r.status == RequestStatus.REFUSED
        if not (not_covered or refused):
            continue
        key = (r.purpose.code, r.category.code, r.requesting_agency.code, r.holding_agency.code)
        total, uncovered, refusals = counts.get(key, (0, 0, 0))
        counts[key] = (total + 1, uncovered + not_covered, refusals + refused)
    return counts


def as_dict(rows):
    return {
        (r.purpose_code, r.category_code, r.requesting_agency_code, r.holding_agency_code): (
            r.requests,
            r.not_covered,
            r.refused,
        )
        for r in rows
    }


@pytest.mark.parametrize(
    ("start_days_ago", "end_days_ago"), [(None, None), (30, None), (None, 30), (45, 10), (7, 7), (100, 61)]
)
def test_the_gap_report_counts_what_a_plain_computation_counts(many_requests, start_days_ago, end_days_ago):
    today = timezone.localdate()
    start = today - dt.timedelta(days=start_days_ago) if start_days_ago is not None else None
    end = today - dt.timedelta(days=end_days_ago) if end_days_ago is not None else None
    rows = selectors.gap_report(start=start, end=end)
    expected = reference(many_requests, start, end)
    assert as_dict(rows) == expected
    assert len(rows) == len(expected)
    assert [r.requests for r in rows] == sorted((r.requests for r in rows), reverse=True)
    if start_days_ago == 100:
        assert rows == []  # nothing was asked that long ago
    else:
        assert sum(r.requests for r in rows) > 0


def test_a_covered_request_that_was_approved_is_not_a_gap(many_requests):
    covered_and_approved = [
        r for r in many_requests if r.covered_by_protocol and r.status != RequestStatus.REFUSED
    ]
    assert covered_and_approved
    total = sum(r.requests for r in selectors.gap_report())
    assert total == len(many_requests) - len(covered_and_approved)


def test_the_csv_has_the_same_counts_and_no_cell_can_run_as_a_formula(client, many_requests):
    lead = StaffMemberFactory(
        username="pm", role="partnership_manager", agency=many_requests[0].holding_agency
    )
    hostile = many_requests[0].requesting_agency
    hostile.name = '=HYPERLINK("http://evil.example","click")'
    hostile.save()
    client.force_login(lead)
    response = client.get("/requests/gap-report.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    counts = {
        (r["purpose_code"], r["category_code"], r["requesting_agency_code"], r["holding_agency_code"]): (
            int(r["requests"]),
            int(r["not_covered_by_any_protocol"]),
            int(r["refused"]),
        )
        for r in rows
    }
    assert counts == reference(many_requests)
    names = {r["requesting_agency"] for r in rows}
    assert "'" + hostile.name in names and hostile.name not in names
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
