"""Escalating overdue requests for information to the holding agency's information-governance leads.

Run daily (`iomshare requests escalate`, beside `iomshare retention sweep`). Each overdue request is
escalated once: its IG leads are notified, the escalation is on the ledger, and `escalated_at` is set.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts import services as alerts
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember


def overdue(day: dt.date | None = None) -> QuerySet[InformationRequest]:
    """Requests still awaiting a decision after their due date, oldest due first."""
    day = day or timezone.localdate()
    return InformationRequest.objects.filter(status=RequestStatus.AWAITING_DECISION, due_on__lt=day).order_by(
        "due_on", "id"
    )


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def escalate_overdue_requests(*, today: dt.date | None = None) -> list[InformationRequest]:
    """Tell each overdue request's holding agency's IG leads, once; the requests escalated now."""
    today = today or timezone.localdate()
    escalated = []
    waiting = (
        overdue(today)
        .filter(escalated_at__isnull=True)
        .select_for_update()
        .select_related("person", "holding_agency", "requesting_agency", "category")
    )
    for request in waiting:
        due_on = request.due_on
        assert due_on is not None  # overdue() selects requests due before today
        leads = StaffMember.objects.filter(
            agency_id=request.holding_agency_id, role=Role.IG_LEAD, is_active=True
        )
        late = (today - due_on).days
        alerts.notify(
            leads,
            message=(
                f"Overdue: request {request.number} from {request.requesting_agency.name} for "
                f"{request.category.name.lower()} information about {request.person.full_name} was due "
                f"by {_date(due_on)} ({late} day{'s' if late != 1 else ''} ago) and still awaits a decision."
            ),
            link=reverse("information_requests:detail", args=[request.pk]),
            reason="information_request_overdue",
            person=request.person,
        )
        request.escalated_at = timezone.now()
        request.save(update_fields=["escalated_at"])
        ledger.record(
            Action.REQUEST_ESCALATED,
            person=request.person,
            details={
                "request": request.pk,
                "holding_agency": request.holding_agency.code,
                "due_on": due_on.isoformat(),
                "ig_leads": sorted(lead.username for lead in leads),
            },
        )
        escalated.append(request)
    return escalated
