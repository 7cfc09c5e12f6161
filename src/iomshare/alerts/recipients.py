"""Who is told of an event about a person: key workers (always), and whoever subscribed to the person,
to their tier, or to everyone their agency leads on."""

from __future__ import annotations

from collections.abc import Iterable

from iomshare.alerts.models import CohortEvent, Subscription, SubscriptionKind
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import CohortMembership

KEY_WORKER = "key worker"
OWNER = "owner"
OWNING_AGENCY = "owning agency"
# Who is told of an action their agency owns with nobody named: those who may pick it up.
AGENCY_ROLES = (Role.PRACTITIONER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER)


def action_owners(events: Iterable[CohortEvent]) -> dict:
    """event id -> {staff id: why}, for "action due" events: the owner, or (nobody named) the owning
    agency's staff. Whether each may know the person is the door's to decide (fanout.alert_for)."""
    found: dict = {}
    by_agency: dict[int, list[int]] = {}
    for event in events:
        owner, agency = event.details.get("owner"), event.details.get("owning_agency")
        if owner:
            found[event.pk] = {owner: OWNER}
        elif agency:
            if agency not in by_agency:
                by_agency[agency] = list(
                    StaffMember.objects.filter(
                        agency_id=agency, is_active=True, is_volunteer=False, role__in=AGENCY_ROLES
                    ).values_list("pk", flat=True)
                )
            found[event.pk] = dict.fromkeys(by_agency[agency], OWNING_AGENCY)
    return found


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
