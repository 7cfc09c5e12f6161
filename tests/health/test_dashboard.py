"""The partnership manager's cohort dashboard: by lead agency, joiners and leavers, the health check link."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse

from iomshare.people import cohort_selectors
from iomshare.people.models import CohortMembership

pytestmark = pytest.mark.django_db


def test_dashboard_counts_the_cohort_by_lead_agency_and_its_joiners_and_leavers(partnership):
    manager, today = partnership.manager, partnership.today
    # who the manager may know is people.visibility's rule, tested there; the counts are tested here
    known = set(
        cohort_selectors._visible(CohortMembership.objects.all(), manager).values_list("person_id", flat=True)
    )
    memberships = [m for m in CohortMembership.objects.select_related("lead_agency") if m.person_id in known]
    current = [
        m for m in memberships if m.started_on <= today and (m.ended_on is None or m.ended_on >= today)
    ]
    since = today - dt.timedelta(days=30)
    dashboard = cohort_selectors.dashboard(manager)
    assert dict(dashboard.by_lead_agency) == dict(Counter(m.lead_agency.name for m in current))
    assert dashboard.joined == sum(1 for m in memberships if since < m.started_on <= today)
    assert dashboard.left == sum(1 for m in memberships if m.ended_on and since < m.ended_on <= today)
    assert dashboard.left > 0 and dashboard.joined > 0


def test_the_dashboard_links_the_partnership_manager_to_the_health_check(client, partnership):
    client.force_login(partnership.manager)
    page = client.get(reverse("people:dashboard")).content.decode()
    assert reverse("governance:health-check") in page
    assert 'data-testid="by-lead-agency"' in page
