"""Dashboards: what an information-governance lead and a key worker each see first.

The partnership manager's is the cohort dashboard (people.cohort_selectors.dashboard); these two use
its look. Counts come from the same selectors as the queues they link to, so a figure and its page
cannot disagree; nothing about a person is read here that the viewer's own pages would not show.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.casework.models import Action
from iomshare.casework.selectors import my_actions
from iomshare.governance.charts import Chart, bar_chart
from iomshare.identity import selectors as identity
from iomshare.information_requests import selectors as requests
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.partnership.models import StaffMember
from iomshare.people.cohort_selectors import caseload_of
from iomshare.protocols import selectors as protocols
from iomshare.retention import selectors as retention

WEEK = dt.timedelta(days=7)
MONTH = dt.timedelta(days=30)
RECENT_EVENTS = dt.timedelta(days=14)


@dataclass(frozen=True)
class IgLeadDashboard:
    """Requests against their due dates, refusals, drafts to approve, retention and accuracy queues."""

    overdue: int
    due_this_week: int
    due_later: int
    decided_30_days: int
    refused_30_days: int
    protocol_drafts: int
    retention_reviews: int
    stale_items: int
    identity_cases: int
    chart: Chart

    @property
    def awaiting(self) -> int:
        return self.overdue + self.due_this_week + self.due_later

    @property
    def by_due_date(self) -> list[tuple[str, int]]:
        return [
            ("Past their due date", self.overdue),
            ("Due in the next 7 days", self.due_this_week),
            ("Due later", self.due_later),
        ]


def ig_lead_dashboard(viewer: StaffMember, *, today: dt.date | None = None) -> IgLeadDashboard:
    """The IG lead's agency's queues, counted as the pages they link to list them."""
    today = today or timezone.localdate()
    agency_id = viewer.agency_id or 0  # no agency, no queues: 0 is no agency's id
    waiting = (
        requests.queue_for(viewer)
        .filter(status=RequestStatus.AWAITING_DECISION)
        .aggregate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            this_week=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + WEEK)),
            later=Count("id", filter=Q(due_on__gt=today + WEEK)),
        )
    )
    since = timezone.now() - MONTH
    decided = InformationRequest.objects.filter(
        holding_agency_id=viewer.agency_id, decided_at__gte=since
    ).aggregate(decided=Count("id"), refused=Count("id", filter=Q(status=RequestStatus.REFUSED)))
    by_due = [waiting["overdue"], waiting["this_week"], waiting["later"]]
    return IgLeadDashboard(
        overdue=by_due[0],
        due_this_week=by_due[1],
        due_later=by_due[2],
        decided_30_days=decided["decided"],
        refused_30_days=decided["refused"],
        protocol_drafts=protocols.drafts_awaiting_approval(agency_id).count(),
        retention_reviews=retention.open_reviews(agency_id).count(),
        stale_items=retention.stale_items(agency_id, today).count(),
        identity_cases=identity.open_review_cases().count() + identity.open_conflicts().count(),
        chart=bar_chart(
            ["Past their due date", "Due in the next 7 days", "Due later"],
            [("Requests waiting for a decision", by_due)],
            title="Requests for information waiting for your agency's decision, by due date",
        ),
    )


@dataclass(frozen=True)
class KeyWorkerDashboard:
    """A key worker's caseload size, the actions they owe, and recent events on their caseload."""

    caseload: int
    overdue_actions: list[Action]
    due_soon_actions: list[Action]
    recent_events: list[Notification]


def key_worker_dashboard(
    viewer: StaffMember, *, today: dt.date | None = None, caseload: list[uuid.UUID] | None = None
) -> KeyWorkerDashboard:
    """Open actions of the viewer overdue or due within 7 days, and the alerts they were sent in the
    last 14 days about people on their caseload (notifications already passed the door when sent).

    `caseload`: the people of `caseload_of(viewer)`, where the caller has just read them."""
    today = today or timezone.localdate()
    if caseload is None:
        caseload = list(caseload_of(viewer).values_list("person_id", flat=True))
    actions = list(my_actions(viewer).filter(due_on__lte=today + WEEK).order_by("due_on", "id"))
    events = Notification.objects.filter(
        recipient=viewer,
        event__person_id__in=caseload,
        created_at__gte=timezone.now() - RECENT_EVENTS,
    ).order_by("-created_at", "-id")[:10]
    return KeyWorkerDashboard(
        caseload=len(set(caseload)),
        overdue_actions=[a for a in actions if a.due_on < today],
        due_soon_actions=[a for a in actions if a.due_on >= today],
        recent_events=list(events),
    )
