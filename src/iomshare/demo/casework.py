"""The demo's cohort work: review dates, referrals waiting for the selection panel and its decisions.

Made through the same services as the web pages (people.services), so the history and the ledger
read as a real partnership's would.
"""

from __future__ import annotations

import datetime as dt
import random

from iomshare.partnership.models import Role, StaffMember
from iomshare.people import services
from iomshare.people.access_lists import may_see_person
from iomshare.people.models import CohortMembership, Person

REFERRAL_REASONS = [
    ("release", "Released on licence last week after a sentence for burglary; no settled address yet."),
    ("intelligence", "Linked by intelligence to a run of vehicle crime on the estate over the last quarter."),
    ("partner_concern", "The housing team reports repeated anti-social behaviour and drug-related visitors."),
]


def load_demo_cohort_work(rng: random.Random, today: dt.date) -> None:
    """Review dates for every current member (a few due within a fortnight), and referrals: some
    awaiting the panel, one declined and one accepted, from people the partnership knows outside
    the cohort."""
    current = list(CohortMembership.objects.current(today).order_by("person__family_name", "id"))
    for membership in current:
        membership.review_on = today + dt.timedelta(days=rng.randint(1, 91))
    CohortMembership.objects.bulk_update(current, ["review_on"], batch_size=1000)

    manager = StaffMember.objects.filter(role=Role.PARTNERSHIP_MANAGER).order_by("username").first()
    referrers = list(
        StaffMember.objects.filter(role=Role.PRACTITIONER, agency__isnull=False).order_by("username")
    )
    merge = Person._meta.get_field("merges_out").related_model  # identity.Merge: identity builds on people
    merged_away = merge._default_manager.filter(undone_at__isnull=True).values("absorbed_id")
    outside = list(
        Person.objects.exclude(memberships__isnull=False)
        .exclude(pk__in=merged_away)
        .order_by("family_name", "given_name", "id")[:5]
    )
    if manager is None or not referrers:
        return
    # An access list can hide a person from some partners; only those who may see them refer them.
    outside = [person for person in outside if may_see_person(manager, person.pk)]
    for n, person in enumerate(outside):
        source, reason = REFERRAL_REASONS[n % len(REFERRAL_REASONS)]
        may_refer = [staff for staff in referrers if may_see_person(staff, person.pk)]
        if not may_refer:
            continue
        referral = services.refer_for_cohort(
            by=rng.choice(may_refer), person=person, source=source, reason=reason
        )
        if n == 0:
            services.decline_referral(
                referral,
                by=manager,
                reason="Offending is below the Free tier threshold; review in three months.",
            )
        elif n == 1:
            membership = services.accept_referral(referral, by=manager, tier="flex", lead_agency="police")
            worker = next((s for s in referrers if s.agency_id == membership.lead_agency_id), None)
            if worker is not None:
                services.assign_key_worker(membership, by=manager, key_worker=worker)
