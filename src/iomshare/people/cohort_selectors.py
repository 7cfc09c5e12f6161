"""Reads for running the cohort: referrals, memberships and their history, caseloads, the dashboard.

Names, tiers and key workers are information too (invariant 10): every read here leaves out people an
access list hides from the viewer, and a single read answers None for them, as if they did not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from iomshare.partnership.models import Role, StaffMember
from iomshare.people import visibility
from iomshare.people.access_lists import hidden_person_ids, may_see_person
from iomshare.people.models import (
    CohortChange,
    CohortMembership,
    CohortReferral,
    ReferralStatus,
    Tier,
)
from iomshare.people.services import is_selection_panel

REVIEW_SOON = dt.timedelta(days=14)
# Key workers with their agencies in one query (not one for staff and another for agencies).
_KEY_WORKERS = Prefetch("key_workers", queryset=StaffMember.objects.select_related("agency"))


def _visible(query: QuerySet, viewer: StaffMember) -> QuerySet:
    """Rows about people `viewer` may know (people.visibility); the selection panel runs the whole
    cohort, so it sees every person no access list hides from it."""
    query = query.exclude(person_id__in=hidden_person_ids(viewer))
    if is_selection_panel(viewer):
        return query
    return query.filter(person_id__in=visibility.known_people(viewer).values("pk"))


def referrals_for(viewer: StaffMember, *, status: str = "") -> QuerySet[CohortReferral]:
    """The panel sees every referral; anyone else their own agency's. Awaiting first, oldest first."""
    query = CohortReferral.objects.select_related(
        "person", "referring_agency", "referred_by", "decided_by", "membership__lead_agency"
    )
    if viewer.counts_as_volunteer or viewer.agency_id is None:
        return query.none()
    if not is_selection_panel(viewer):
        query = query.filter(referring_agency_id=viewer.agency_id)
    if status in ReferralStatus.values:
        query = query.filter(status=status)
    awaiting_first = Case(When(status=ReferralStatus.AWAITING_PANEL, then=Value(0)), default=Value(1))
    return _visible(query, viewer).order_by(awaiting_first, "referred_at", "id")


def referral_for(viewer: StaffMember, referral_id) -> CohortReferral | None:
    """One referral the viewer may see (the panel, or the referring agency), or None."""
    referral = referrals_for(viewer).filter(pk=referral_id).first()
    if referral is None or not may_see_person(viewer, referral.person_id):
        return None
    if not is_selection_panel(viewer) and not visibility.may_know(viewer, referral.person_id):
        return None
    return referral


def membership_for(viewer: StaffMember, membership_id) -> CohortMembership | None:
    """One membership with its key workers, or None if absent or its person is hidden from the viewer."""
    membership = (
        CohortMembership.objects.filter(pk=membership_id)
        .select_related("person", "lead_agency")
        .prefetch_related("key_workers__agency")
        .first()
    )
    if membership is None or viewer.agency_id is None or not may_see_person(viewer, membership.person_id):
        return None
    # The panel runs the whole cohort; anyone else sees a membership only as the visibility rule
    # lists it (led by an agency that shares with them, or they are a key worker, of a person they know).
    if (
        not is_selection_panel(viewer)
        and not visibility.visible_memberships(viewer).filter(pk=membership_id).exists()
    ):
        return None
    return membership


def cohort_history(person_id) -> list[CohortChange]:
    """Every change to a person's cohort status, newest first (the caller has checked the viewer)."""
    return list(CohortChange.objects.filter(person_id=person_id).select_related("by__agency"))


def current_membership(person_id) -> CohortMembership | None:
    return (
        CohortMembership.objects.current()
        .filter(person_id=person_id)
        .select_related("lead_agency")
        .prefetch_related(_KEY_WORKERS)
        .first()
    )


def open_referral(person_id) -> CohortReferral | None:
    return CohortReferral.objects.filter(person_id=person_id, status=ReferralStatus.AWAITING_PANEL).first()


def caseload_of(viewer: StaffMember) -> QuerySet[CohortMembership]:
    """Current memberships where `viewer` is a key worker: "My caseload", review due first."""
    query = (
        CohortMembership.objects.current()
        .filter(key_workers=viewer)
        .select_related("person", "lead_agency")
        .prefetch_related(_KEY_WORKERS)
    )
    return _visible(query, viewer).order_by("review_on", "person__family_name", "person__given_name", "id")


# The colour of each tier's tag on a caseload (GOV.UK tag modifiers); any other tier is green.
TIER_COLOURS: dict[str, str] = {Tier.FIXED: "red", Tier.FLEX: "yellow"}


@dataclass(frozen=True)
class CaseloadEntry:
    """One person on "My caseload", every text of their row worked out once, so the page lists a
    caseload without a template lookup, filter or loop per field (issue 14: the page's cost was
    its template, about 20 lookups a person)."""

    person_id: uuid.UUID
    name: str  # "FAMILY, Given", as a caseload is read down
    tier_label: str
    tier_colour: str
    lead_agency: str
    review_on: dt.date | None
    key_workers: str  # "Name (Agency), Name (Agency)"


def caseload_entries(viewer: StaffMember) -> list[CaseloadEntry]:
    """`caseload_of(viewer)`, in its order, as the rows of "My caseload"."""
    return [
        CaseloadEntry(
            person_id=membership.person_id,
            name=f"{membership.person.family_name.upper()}, {membership.person.given_name}",
            tier_label=membership.get_tier_display(),
            tier_colour=TIER_COLOURS.get(membership.tier, "green"),
            lead_agency=membership.lead_agency.name,
            review_on=membership.review_on,
            key_workers=", ".join(
                f"{worker} ({worker.agency.name if worker.agency else ''})"
                for worker in membership.key_workers.all()
            ),
        )
        for membership in caseload_of(viewer)
    ]


def reviews_due(viewer: StaffMember, *, by: dt.date | None = None) -> QuerySet[CohortMembership]:
    """Current memberships whose review date is on or before `by` (default: a fortnight from today)."""
    by = by or timezone.localdate() + REVIEW_SOON
    query = (
        CohortMembership.objects.current()
        .filter(Q(review_on__lte=by) | Q(review_on__isnull=True))
        .select_related("person", "lead_agency")
    )
    return _visible(query, viewer).order_by("review_on", "person__family_name", "id")


@dataclass(frozen=True)
class CohortDashboard:
    """What the partnership manager sees first: the cohort by tier, and what waits for the panel."""

    by_tier: list[tuple[str, int]]
    total: int
    awaiting_panel: int
    reviews_due: list[CohortMembership]
    recent_changes: list[CohortChange]
    without_key_worker: int
    by_lead_agency: list[tuple[str, int]] = field(default_factory=list)
    joined: int = 0  # memberships started in the last JOINERS_WINDOW days
    left: int = 0  # memberships ended in the last JOINERS_WINDOW days


def dashboard(viewer: StaffMember) -> CohortDashboard:
    current = _visible(CohortMembership.objects.current(), viewer)
    counts = dict(current.values_list("tier").annotate(n=Count("id")).order_by())
    changes = _visible(CohortChange.objects.select_related("person", "by"), viewer)[:10]
    return CohortDashboard(
        by_tier=[(label, counts.get(value, 0)) for value, label in Tier.choices],
        total=sum(counts.values()),
        awaiting_panel=referrals_for(viewer, status=ReferralStatus.AWAITING_PANEL).count(),
        reviews_due=list(reviews_due(viewer)[:20]),
        recent_changes=list(changes),
        without_key_worker=current.filter(key_workers__isnull=True).count(),
        by_lead_agency=list(
            current.values_list("lead_agency__name").annotate(n=Count("id")).order_by("lead_agency__name")
        ),
        **_joiners_and_leavers(viewer),
    )


JOINERS_WINDOW = dt.timedelta(days=30)


def _joiners_and_leavers(viewer: StaffMember) -> dict[str, int]:
    """Memberships the viewer may know of that started, or ended, in the last 30 days."""
    today = timezone.localdate()
    since = today - JOINERS_WINDOW
    return _visible(CohortMembership.objects.all(), viewer).aggregate(
        joined=Count("id", filter=Q(started_on__gt=since, started_on__lte=today)),
        left=Count("id", filter=Q(ended_on__gt=since, ended_on__lte=today)),
    )


def possible_key_workers(viewer: StaffMember) -> QuerySet[StaffMember]:
    """Practitioners and volunteers of partner agencies, by agency and name (for choosing a key worker)."""
    return (
        StaffMember.objects.filter(
            is_active=True, agency__isnull=False, role__in=[Role.PRACTITIONER, Role.VOLUNTEER]
        )
        .select_related("agency")
        .order_by("agency__name", "last_name", "first_name", "id")
    )
