"""Questions 1, 2 and 10 of the health check: protocols, training and vetting, bringing everything to bear.

Counts and aggregates only, each one grouped query; nothing about any person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse

from iomshare.governance.charts import bar_chart
from iomshare.governance.health.types import Figure, Link, Section, Table, Verdict, percent
from iomshare.information_requests import selectors as requests
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.partnership.models import Role, StaffMember, TrainingRecord
from iomshare.partnership.training import TRAINING_MANAGER_ROLES
from iomshare.people.models import CohortMembership
from iomshare.protocols import acknowledgements
from iomshare.protocols.models import Protocol, ProtocolStatus

SOON = dt.timedelta(days=30)
YEAR = dt.timedelta(days=365)
CHART_ROWS = 10


def protocols(today: dt.date) -> Section:
    """Question 1: protocols in force and reviewed, and what practitioners asked for that none provides."""
    active = Protocol.objects.filter(status=ProtocolStatus.ACTIVE)
    counts = active.aggregate(
        in_force=Count("id", filter=Q(ends_on__isnull=True) | Q(ends_on__gte=today)),
        overdue=Count("id", filter=Q(review_on__lt=today)),
        due=Count("id", filter=Q(review_on__gte=today, review_on__lte=today + SOON)),
    )
    gap = requests.gap_report(start=today - YEAR, end=today)
    by_pair: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in gap:
        pair = by_pair[f"{row.requesting_agency} from {row.holding_agency}: {row.purpose}"]
        pair[0] += row.not_covered
        pair[1] += row.refused
    pairs = sorted(by_pair.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    decided = InformationRequest.objects.filter(
        requested_at__gte=requests._start_of(today - YEAR), decided_at__isnull=False
    ).aggregate(decided=Count("id"), refused=Count("id", filter=Q(status=RequestStatus.REFUSED)))
    not_covered = sum(row.not_covered for row in gap)
    refused = sum(row.refused for row in gap)
    figures = [
        Figure("protocols.in_force", "Protocols in force", counts["in_force"]),
        Figure("protocols.review_overdue", "Protocols past their review date", counts["overdue"]),
        Figure("protocols.review_due_30_days", "Protocols due for review in the next 30 days", counts["due"]),
        Figure(
            "protocols.requests_not_covered_12_months",
            "Requests no protocol covered (12 months)",
            not_covered,
        ),
        Figure("protocols.requests_refused_12_months", "Requests refused (12 months)", refused),
        Figure(
            "protocols.refusal_rate_12_months",
            "Share of decided requests refused (12 months)",
            percent(decided["refused"], decided["decided"]),
            "%",
        ),
    ]
    attention = counts["in_force"] == 0 or counts["overdue"] > 0 or not_covered > 0
    top = pairs[:CHART_ROWS]
    return Section(
        number=1,
        slug="protocols",
        question="Do our information sharing protocols cover what practitioners need, and are they kept up to date?",
        verdict=Verdict.ATTENTION if attention else Verdict.GOOD,
        summary=(
            f"{counts['in_force']} protocols in force, {counts['overdue']} past their review date; "
            f"{not_covered} requests in the last 12 months that no protocol covered and {refused} refused."
        ),
        figures=figures,
        tables=[
            Table(
                "protocols.gaps",
                "Requests no protocol provided for in the last 12 months, by agency pair and purpose",
                ["Asked by, from, for", "No protocol covered", "Refused"],
                [[label, nc, rf] for label, (nc, rf) in pairs],
            )
        ],
        chart=bar_chart(
            [label for label, _ in top],
            [("No protocol covered", [v[0] for _, v in top]), ("Refused", [v[1] for _, v in top])],
            title="Requests no protocol provided for, by agency pair and purpose (12 months)",
        )
        if top
        else None,
        links=[
            Link("Information sharing protocols", reverse("protocols:list")),
            Link("Gap report: what no protocol provides", reverse("information_requests:gap-report")),
        ],
        trend_key="protocols.refusal_rate_12_months",
    )


def _staff_flags(today: dt.date):
    """Partner staff (people, not system accounts) with whether their training or vetting has lapsed."""
    renewed = TrainingRecord.objects.filter(
        staff_member_id=OuterRef("staff_member_id"), course=OuterRef("course"), expires_on__gte=today
    )
    lapsed = TrainingRecord.objects.filter(staff_member_id=OuterRef("pk"), expires_on__lt=today).filter(
        ~Exists(renewed)
    )
    renewed_beyond = TrainingRecord.objects.filter(
        staff_member_id=OuterRef("staff_member_id"), course=OuterRef("course"), expires_on__gt=today + SOON
    )
    expiring = TrainingRecord.objects.filter(
        staff_member_id=OuterRef("pk"), expires_on__gte=today, expires_on__lte=today + SOON
    ).filter(~Exists(renewed_beyond))
    return (
        StaffMember.objects.filter(is_active=True, agency__isnull=False)
        .exclude(role=Role.SYSTEM)
        .annotate(
            lapsed=Exists(lapsed),
            expiring=Exists(expiring),
            trained=Exists(TrainingRecord.objects.filter(staff_member_id=OuterRef("pk"))),
        )
    )


def training(today: dt.date) -> Section:
    """Question 2: staff and volunteers with training or vetting expired or expiring, by agency."""
    flags = _staff_flags(today)
    vetting_expired = Q(vetting_level__gt=0, vetting_expires_on__lt=today)
    vetting_expiring = Q(
        vetting_level__gt=0, vetting_expires_on__gte=today, vetting_expires_on__lte=today + SOON
    )
    columns = {
        "staff": Q(),
        "volunteers": Q(is_volunteer=True),
        "training_expired": Q(lapsed=True),
        "training_expiring": Q(lapsed=False, expiring=True),
        "no_training": Q(trained=False),
        "volunteers_training_expired": Q(is_volunteer=True, lapsed=True),
        "vetting_expired": vetting_expired,
        "vetting_expiring": vetting_expiring,
    }
    rows = list(
        flags.values("agency__name")
        .annotate(**{name: Count("id", filter=where) for name, where in columns.items()})
        .order_by("agency__name")
    )
    total = {name: sum(row[name] for row in rows) for name in columns}
    figures = [
        Figure("training.staff", "Staff and volunteers with an account", total["staff"]),
        Figure("training.expired", "Staff and volunteers with training expired", total["training_expired"]),
        Figure(
            "training.expiring_30_days", "Training expiring in the next 30 days", total["training_expiring"]
        ),
        Figure(
            "training.none_recorded", "Staff and volunteers with no training recorded", total["no_training"]
        ),
        Figure(
            "training.volunteers_expired",
            "Volunteers with training expired",
            total["volunteers_training_expired"],
        ),
        Figure("vetting.expired", "Staff whose vetting has expired", total["vetting_expired"]),
        Figure("vetting.expiring_30_days", "Vetting expiring in the next 30 days", total["vetting_expiring"]),
    ]
    headers = [
        "Agency",
        "Staff",
        "Volunteers",
        "Training expired",
        "Expiring in 30 days",
        "No training",
        "Vetting expired",
        "Vetting expiring",
    ]
    keys = list(columns)
    keys.remove("volunteers_training_expired")
    table_rows = [[row["agency__name"], *[row[k] for k in keys]] for row in rows]
    readings = acknowledgements.by_agency(today)
    expected = sum(row.expected for row in readings)
    acknowledged = sum(row.acknowledged for row in readings)
    figures += [
        Figure(
            "protocols.acknowledgements_expected",
            "Protocol versions in force that staff are asked to read (per person)",
            expected,
        ),
        Figure("protocols.acknowledged", "Protocol versions in force read and acknowledged", acknowledged),
        Figure(
            "protocols.acknowledged_share",
            "Share of protocol versions in force read and acknowledged",
            percent(acknowledged, expected),
            "%",
        ),
    ]
    attention = (
        total["training_expired"]
        or total["no_training"]
        or total["vetting_expired"]
        or acknowledged < expected
    )
    return Section(
        number=2,
        slug="training",
        question="Are all staff, volunteers included, trained in the policies and procedures, and vetted?",
        verdict=Verdict.ATTENTION if attention else Verdict.GOOD,
        summary=(
            f"{total['training_expired']} of {total['staff']} staff and volunteers have training expired, "
            f"{total['training_expiring']} more expire in 30 days; {total['vetting_expired']} have vetting expired; "
            f"{acknowledged} of {expected} protocol versions in force read and acknowledged."
        ),
        figures=figures,
        tables=[
            Table("training.by_agency", "Training and vetting by agency", headers, table_rows),
            Table(
                "protocols.acknowledged_by_agency",
                "Protocol versions in force read and acknowledged, by agency",
                ["Agency", "To read (staff times versions)", "Read and acknowledged", "Share"],
                [
                    [
                        row.agency,
                        row.expected,
                        row.acknowledged,
                        f"{percent(row.acknowledged, row.expected)}%",
                    ]
                    for row in readings
                ],
            ),
        ],
        chart=bar_chart(
            [row["agency__name"] for row in rows],
            [
                ("Training expired", [row["training_expired"] for row in rows]),
                ("Expiring in 30 days", [row["training_expiring"] for row in rows]),
                ("Vetting expired", [row["vetting_expired"] for row in rows]),
            ],
            title="Training and vetting expired or expiring, by agency",
        )
        if rows
        else None,
        links=[
            Link("Protocols read by your agency's staff", reverse("protocols:read-by-staff")),
            # Last: it is not offered to IG leads, who read the check but do not keep training records.
            Link(
                "Training and vetting to renew (your agency)",
                reverse("partnership:training-expiry"),
                for_roles=frozenset(TRAINING_MANAGER_ROLES),
            ),
        ],
        trend_key="training.expired",
    )


def bringing_to_bear(today: dt.date) -> Section:
    """Question 10: the cohort, its key workers, and requests for information still open."""
    current = CohortMembership.objects.current(today)
    cohort = current.aggregate(
        members=Count("id", distinct=True),
        without_key_worker=Count("id", filter=Q(key_workers__isnull=True), distinct=True),
    )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in (
            InformationRequest.objects.filter(status=RequestStatus.AWAITING_DECISION)
            .values("holding_agency__name")
            .annotate(
                open=Count("id"),
                overdue=Count("id", filter=Q(due_on__lt=today)),
                oldest=Min("requested_at"),
            )
            .order_by("holding_agency__name")
        )
    ]
    for row in rows:
        row["oldest_days"] = (today - row["oldest"].date()).days if row["oldest"] else 0
    open_total = sum(row["open"] for row in rows)
    overdue = sum(row["overdue"] for row in rows)
    figures = [
        Figure("bearing.cohort_members", "Current cohort members", cohort["members"]),
        Figure(
            "bearing.without_key_worker", "Cohort members with no key worker", cohort["without_key_worker"]
        ),
        Figure("bearing.open_requests", "Requests for information awaiting a decision", open_total),
        Figure("bearing.overdue_requests", "Of them, past their due date", overdue),
        Figure(
            "bearing.oldest_open_request_days",
            "Age of the oldest open request",
            max((row["oldest_days"] for row in rows), default=0),
            " days",
        ),
    ]
    return Section(
        number=10,
        slug="bringing-everything-to-bear",
        question="Do we bring everything we know to bear on each member of the cohort?",
        verdict=Verdict.ATTENTION if overdue or cohort["without_key_worker"] else Verdict.GOOD,
        summary=(
            f"{cohort['without_key_worker']} of {cohort['members']} cohort members have no key worker; "
            f"{open_total} requests for information await a decision, {overdue} past their due date."
        ),
        figures=figures,
        tables=[
            Table(
                "bearing.open_requests_by_agency",
                "Requests awaiting a decision, by the agency that holds the information",
                ["Holding agency", "Awaiting a decision", "Past due date", "Oldest (days)"],
                [[r["holding_agency__name"], r["open"], r["overdue"], r["oldest_days"]] for r in rows],
            )
        ],
        chart=bar_chart(
            [row["holding_agency__name"] for row in rows],
            [
                ("Awaiting a decision", [row["open"] for row in rows]),
                ("Past due date", [row["overdue"] for row in rows]),
            ],
            title="Requests awaiting a decision, by holding agency",
        )
        if rows
        else None,
        links=[
            Link("The cohort dashboard", reverse("people:dashboard")),
            Link("Gap report", reverse("information_requests:gap-report")),
        ],
        not_answered="The share of each agency's information that key workers may see for risk management, and "
        "how much is withheld, are not counted: each needs the sharing decision per person, not an aggregate.",
        trend_key="bearing.open_requests",
    )
