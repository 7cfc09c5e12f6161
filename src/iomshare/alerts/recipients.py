"""Who is told of an event about a person: key workers (always), and whoever subscribed to the person,
to their tier, or to everyone their agency leads on."""

from __future__ import annotations

from collections.abc import Iterable

from iomshare.alerts.models import Subscription, SubscriptionKind
from iomshare.people.models import CohortMembership

KEY_WORKER = "key worker"


def recipients_of(person_ids: Iterable) -> dict:
    """person id -> {staff id: why they are told}, for a batch of events' people (a few queries in all)."""
    person_ids = set(person_ids)
    found: dict = {person_id: {} for person_id in person_ids}
    memberships = list(
        CohortMembership.objects.current()
        .filter(person_id__in=person_ids)
        .values_list("pk", "person_id", "tier", "lead_agency_id")
    )
    through = CohortMembership.key_workers.through
    person_of_membership = {pk: person_id for pk, person_id, _, _ in memberships}
    for membership_id, staff_id in through.objects.filter(
        cohortmembership_id__in=person_of_membership
    ).values_list("cohortmembership_id", "staffmember_id"):
        found[person_of_membership[membership_id]][staff_id] = KEY_WORKER
    for staff_id, person_id in Subscription.objects.filter(
        kind=SubscriptionKind.PERSON, person_id__in=person_ids
    ).values_list("subscriber_id", "person_id"):
        found[person_id].setdefault(staff_id, "following")
    by_tier: dict[str, list[int]] = {}
    by_agency: dict[int, list[int]] = {}
    for kind, staff_id, tier, agency_id in Subscription.objects.filter(
        kind__in=[SubscriptionKind.TIER, SubscriptionKind.LEAD_AGENCY]
    ).values_list("kind", "subscriber_id", "tier", "subscriber__agency_id"):
        if kind == SubscriptionKind.TIER:
            by_tier.setdefault(tier, []).append(staff_id)
        elif agency_id is not None:
            by_agency.setdefault(agency_id, []).append(staff_id)
    for _, person_id, tier, lead_agency_id in memberships:
        for staff_id in by_tier.get(tier, ()):
            found[person_id].setdefault(staff_id, f"{tier} tier")
        for staff_id in by_agency.get(lead_agency_id, ()):
            found[person_id].setdefault(staff_id, "lead agency")
    return found
