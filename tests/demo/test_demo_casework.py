"""The demo partnership runs its cohort: review dates, referrals in each state, the panel's decisions."""

import datetime as dt

import pytest

from iomshare.demo import Scale, load_demo
from iomshare.people.models import CohortChange, CohortMembership, CohortReferral, ReferralStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def test_the_demo_has_review_dates_referrals_and_panel_decisions_with_history():
    load_demo(scale=Scale(people=40, items=200), today=TODAY, with_protocols_and_vocabulary=False)
    current = CohortMembership.objects.current(TODAY)
    assert current.exists() and not current.filter(review_on__isnull=True).exists()
    statuses = set(CohortReferral.objects.values_list("status", flat=True))
    assert {ReferralStatus.DECLINED, ReferralStatus.ACCEPTED} <= statuses
    accepted = CohortReferral.objects.get(status=ReferralStatus.ACCEPTED)
    assert accepted.membership.key_workers.exists()
    kinds = set(CohortChange.objects.filter(person=accepted.person).values_list("kind", flat=True))
    assert kinds == {"referred", "accepted", "key_worker_assigned"}
