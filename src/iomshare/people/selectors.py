"""Reads of people and the cohort (names, identifiers, tiers: not item content)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from iomshare.partnership.models import StaffMember
from iomshare.people import visibility
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person


@dataclass(frozen=True)
class CohortFilters:
    search: str = ""
    tier: str = ""
    lead_agency: str = ""  # agency code
    key_worker: str = ""  # username


def search_cohort(filters: CohortFilters, viewer: StaffMember) -> QuerySet[CohortMembership]:
    """Current cohort memberships `viewer` may see (people.visibility) matching a name or identifier
    search and the chosen filters, with only the key workers they may see."""
    opened = visibility.open_agencies(viewer)
    query = (
        visibility.visible_memberships(viewer).current().select_related("person", "lead_agency").distinct()
    )
    if filters.search:
        query = query.filter(person__in=search_people(filters.search).values("id"))
    if filters.tier:
        query = query.filter(tier=filters.tier)
    if filters.lead_agency:
        query = query.filter(lead_agency__code=filters.lead_agency)
    if filters.key_worker:
        query = query.filter(key_workers__username=filters.key_worker)
    key_workers = Prefetch("key_workers", queryset=StaffMember.objects.filter(agency_id__in=opened))
    return query.prefetch_related(key_workers).order_by("person__family_name", "person__given_name", "pk")


def search_people(text: str) -> QuerySet[Person]:
    """People whose name contains every word of `text`, or who hold an identifier equal to it.

    A person merged into another is never a result: a match on them (their name as an agency once
    recorded it) leads to the person they were merged into, so nobody opens an emptied record.
    """
    text = text.strip()
    by_identifier = AgencyIdentifier.objects.filter(value__iexact=text).values("person_id")
    by_name = Q()
    for word in text.split():
        by_name &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    matches = by_name | Q(id__in=by_identifier)
    merged_away = _merges().filter(undone_at__isnull=True).values("absorbed_id")
    survivors = _survivors_of(Person.objects.filter(matches, id__in=merged_away).values_list("id", flat=True))
    return Person.objects.filter(matches | Q(id__in=survivors)).exclude(id__in=merged_away).distinct()


def _merges() -> QuerySet:
    # identity.Merge, reached through the relation rather than imported: identity builds on people.
    merge = Person._meta.get_field("merges_out").related_model
    return merge._default_manager.all()


def _survivors_of(absorbed: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The people that merged-away `absorbed` now live on in, following merges of merges."""
    survivors: set[uuid.UUID] = set()
    seen = set(absorbed)
    frontier = set(seen)
    while frontier:
        reached = set(
            _merges()
            .filter(absorbed_id__in=frontier, undone_at__isnull=True)
            .values_list("survivor_id", flat=True)
        )
        survivors |= reached
        frontier = reached - seen
        seen |= reached
    return survivors


def person_profile(person_id, viewer: StaffMember) -> Person | None:
    """A person with the identifiers and cohort memberships `viewer` may see, or None if absent or
    not theirs to know (people.visibility): that answers exactly as if they did not exist."""
    return visibility.person_for(viewer, person_id)


def people_matching(text: str, viewer: StaffMember) -> QuerySet[Person]:
    """`search_people` narrowed to the people `viewer` may know, with what a list of matches shows
    (the identifiers and current tier they may see), in a stable order."""
    return visibility.people_known_matching(viewer, search_people(text)).order_by(
        "family_name", "given_name", "id"
    )
