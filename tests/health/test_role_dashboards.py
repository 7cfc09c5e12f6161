"""The IG lead's dashboard (the governance hub's top section) and the key worker's (the head of their
caseload): each figure equals an independent count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts.models import CohortEvent, EventKind, Notification
from iomshare.casework.models import Action, ActionStatus, RaisedFrom
from iomshare.governance.dashboards import ig_lead_dashboard, key_worker_dashboard
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.protocols.models import Protocol, ProtocolStatus
from iomshare.records.models import InformationItem, ItemStatus
from iomshare.retention.models import RetentionReview, ReviewStatus
from tests.factories import CohortMembershipFactory, PersonFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
D = dt.timedelta


def test_the_ig_lead_dashboard_counts_what_waits_for_their_agency(partnership):
    lead, today = partnership.ig_lead, partnership.today
    mine = [r for r in InformationRequest.objects.all() if r.holding_agency_id == lead.agency_id]
    awaiting = [r for r in mine if r.status == RequestStatus.AWAITING_DECISION]
    month_ago = timezone.now() - D(days=30)
    decided = [r for r in mine if r.decided_at and r.decided_at >= month_ago]
    drafts = [
        p
        for p in Protocol.objects.filter(status=ProtocolStatus.DRAFT)
        if lead.agency in p.parties.all() and not p.approvals.filter(agency=lead.agency).exists()
    ]
    dashboard = ig_lead_dashboard(lead, today=today)
    assert dashboard.overdue == sum(1 for r in awaiting if r.due_on < today)
    assert dashboard.due_this_week == sum(1 for r in awaiting if today <= r.due_on <= today + D(days=7))
    assert dashboard.due_later == sum(1 for r in awaiting if r.due_on > today + D(days=7))
    assert dashboard.awaiting == len(awaiting) > 0
    assert dashboard.decided_30_days == len(decided)
    assert dashboard.refused_30_days == sum(1 for r in decided if r.status == RequestStatus.REFUSED)
    assert dashboard.protocol_drafts == len(drafts)
    assert dashboard.retention_reviews == sum(
        1
        for r in RetentionReview.objects.all()
        if r.holding_agency_id == lead.agency_id and r.status == ReviewStatus.OPEN
    )
    assert dashboard.stale_items == sum(
        1
        for i in InformationItem.objects.all()
        if i.holding_agency_id == lead.agency_id
        and i.status == ItemStatus.LIVE
        and i.review_by
        and i.review_by < today
    )


def test_the_governance_hub_shows_the_ig_lead_their_dashboard_with_a_chart_and_its_table(client, partnership):
    client.force_login(partnership.ig_lead)
    page = client.get(reverse("web:governance")).content.decode()
    dashboard = ig_lead_dashboard(partnership.ig_lead)
    assert f'data-testid="awaiting-requests">{dashboard.awaiting}<' in page
    assert 'data-testid="requests-by-due-date"' in page and "data:image/svg+xml" in page
    client.force_login(partnership.manager)
    assert 'data-testid="ig-dashboard"' not in client.get(reverse("web:governance")).content.decode()


def _action(person, owner, due_on, status=ActionStatus.OPEN):
    return Action.objects.create(
        person=person,
        description="Synthetic action",
        owner=owner,
        owning_agency=owner.agency,
        due_on=due_on,
        status=status,
        raised_by=owner,
        raising_agency=owner.agency,
        raised_from=RaisedFrom.PERSON_PAGE,
    )


def _told(recipient, person, days_ago):
    event = CohortEvent.objects.create(kind=EventKind.ARREST, person=person, source_agency=recipient.agency)
    return Notification.objects.create(
        recipient=recipient,
        message=f"Arrest recorded ({days_ago} days ago)",
        event=event,
        kind=EventKind.ARREST,
        created_at=timezone.now() - D(days=days_ago),
    )


def test_the_key_worker_dashboard_shows_their_actions_due_and_recent_events_on_their_caseload(
    client, officer, person, police
):
    today = timezone.localdate()
    CohortMembershipFactory(person=person, started_on=today - D(days=40)).key_workers.add(officer)
    elsewhere = PersonFactory(given_name="Not", family_name="Mine")
    colleague = StaffMemberFactory(username="colleague", agency=police)
    overdue = _action(person, officer, today - D(days=2))
    soon = _action(person, officer, today + D(days=7))
    _action(person, officer, today + D(days=8))  # not yet
    _action(person, officer, today - D(days=9), status=ActionStatus.DONE)
    _action(person, colleague, today)  # someone else's
    recent = _told(officer, person, 1)
    _told(officer, person, 20)  # too long ago
    _told(officer, elsewhere, 1)  # not on the caseload
    _told(colleague, person, 1)  # told to someone else
    dashboard = key_worker_dashboard(officer, today=today)
    assert dashboard.caseload == 1
    assert dashboard.overdue_actions == [overdue]
    assert dashboard.due_soon_actions == [soon]
    assert dashboard.recent_events == [recent]
    client.force_login(officer)
    page = client.get(reverse("people:caseload")).content.decode()
    assert 'data-testid="overdue-actions">1<' in page and 'data-testid="due-soon-actions">1<' in page
    assert "Arrest recorded (1 days ago)" in page and "(20 days ago)" not in page
