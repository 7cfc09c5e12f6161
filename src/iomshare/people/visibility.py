"""The one rule for "may this viewer know this person, and what about them" (invariant 10).

Knowing that a person exists, their identifiers, tier, cohort membership and key workers are
information like an item's content. Every surface that names or describes a person (cohort list,
search, person page, IG tools, identity pages, notifications, exports, the API, admin) asks here:

- **Which agencies' person facts the viewer may see** (`open_agencies`): their own agency's, and
  those of every agency that shares something with them under a clause in force, decided by the
  same access grid as the door (role, volunteers, training, assurance, vetting, purpose). Without a
  purpose, any purpose the viewer may declare counts; with one, only that purpose does.
- **Which people they may know** (`known_people`, `may_know` for one): a volunteer knows only the
  people allocated to them (they are a key worker of a current cohort membership); anyone else
  knows people whose current cohort membership is led by an open agency, people their own agency
  knows (an identifier, an item, a membership it leads, one of its staff a key worker), and no one
  an access list hides from them.
- **What about them** (`person_for`): only identifiers held by open agencies, memberships led by
  open agencies or (staff, not volunteers) that the viewer is a key worker of, and key workers of
  open agencies.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from iomshare import plain_sql as sql
from iomshare.errors import NotPermitted
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.access_lists import hidden_person_ids, may_see_person
from iomshare.people.models import AgencyIdentifier, CohortMembership, CohortMembershipQuerySet, Person


def is_volunteer(viewer: StaffMember) -> bool:
    return bool(getattr(viewer, "is_volunteer", False) or getattr(viewer, "role", "") == Role.VOLUNTEER)


def open_agencies(viewer: StaffMember, purpose: str | None = None) -> frozenset[int]:
    """Agencies whose person facts `viewer` may see: their own, and every agency whose clause in
    force shares anything with them (for `purpose`, or for any purpose they may declare).

    Each grid is the door's own (`protocols.decisions.access_grid`), remembered under its facts, so
    this adds no Cedar call where the viewer has read before; an error in a decision opens nothing.
    """
    # Imported here: protocols builds on people's models.
    from iomshare.protocols.decisions import access_grids

    own_agency_id = getattr(viewer, "agency_id", None)
    if own_agency_id is None:
        return frozenset()
    cached = getattr(viewer, "_open_agencies", {})
    if purpose in cached:
        return cached[purpose]
    agencies: set[int] = {own_agency_id}
    try:
        # One read of the facts for every purpose (None: each the viewer may declare).
        grids = access_grids(viewer, [purpose] if purpose else None)
    except NotPermitted:
        grids = []
    for grid in grids:
        agencies |= {grant.holding_agency_id for grant in grid.grants.values()}
    opened = frozenset(agencies)
    viewer._open_agencies = {**cached, purpose: opened}  # type: ignore[attr-defined]  # once per request: the viewer is per request
    return opened


def _allocated_to(viewer: StaffMember) -> Q:
    """People with a current cohort membership of which `viewer` is a key worker (their caseload)."""
    return Q(
        Exists(CohortMembership.objects.current().filter(person_id=OuterRef("pk"), key_workers=viewer.pk))
    )


def _known_to_own_agency(viewer: StaffMember) -> Q:
    """People the viewer's own agency knows: an identifier, an item, a current membership it leads
    or one of its staff a key worker (correlated EXISTS: index probes, not a read of every row)."""
    # Imported here: records builds on people.
    from iomshare.records.selectors import holds_items_about

    agency_id = viewer.agency_id
    assert agency_id is not None  # its callers answer "no one" for a member of no agency first
    memberships = CohortMembership.objects.current().filter(person_id=OuterRef("pk"))
    return (
        Q(Exists(AgencyIdentifier.objects.filter(agency_id=agency_id, person_id=OuterRef("pk"))))
        | Q(holds_items_about(agency_id))
        | Q(Exists(memberships.filter(lead_agency_id=agency_id)))
        | Q(Exists(memberships.filter(key_workers__agency_id=agency_id)))
    )


def _in_cohort_led_by(opened: frozenset[int]) -> Q:
    memberships = CohortMembership.objects.current().filter(person_id=OuterRef("pk"))
    return Q(Exists(memberships.filter(lead_agency_id__in=opened)))


def _known_condition(viewer: StaffMember, opened: frozenset[int]) -> Q:
    """Which people `viewer` may know, as one condition over Person."""
    if is_volunteer(viewer):
        return _allocated_to(viewer)
    return _known_to_own_agency(viewer) | _in_cohort_led_by(opened)


def known_people(viewer: StaffMember, purpose: str | None = None) -> QuerySet[Person]:
    """The people `viewer` may know exist (the module's rule), as one lazy query."""
    if getattr(viewer, "agency_id", None) is None:
        return Person.objects.none()
    condition = _known_condition(viewer, open_agencies(viewer, purpose))
    return Person.objects.filter(condition).exclude(id__in=hidden_person_ids(viewer))


def may_know(viewer: StaffMember, person_id: uuid.UUID | str, purpose: str | None = None) -> bool:
    """Whether `person_id` is among `known_people(viewer)`: no access list first, then one query."""
    if getattr(viewer, "agency_id", None) is None:
        return False
    try:
        uuid.UUID(str(person_id))
    except ValueError:
        return False
    return may_see_person(viewer, person_id) and knows_apart_from_access_lists(viewer, person_id, purpose)


def knows_apart_from_access_lists(viewer: StaffMember, person_id, purpose: str | None = None) -> bool:
    """The "may know" rule before access lists: what an IG lead managing a person's lists needs,
    as a restriction list hides the person from everyone else, that lead included."""
    agency_id = getattr(viewer, "agency_id", None)
    if agency_id is None:
        return False
    one = Person.objects.filter(pk=person_id)
    if is_volunteer(viewer):
        return one.filter(_allocated_to(viewer)).exists()
    # Cheapest and most common reasons first: the own agency's knowledge needs no sharing decision.
    return (
        _led_or_identified_by(agency_id, person_id)
        or one.filter(_known_to_own_agency(viewer)).exists()
        or _in_cohort_led_by_an_open_agency(viewer, person_id, purpose)
    )


def _in_cohort_led_by_an_open_agency(viewer: StaffMember, person_id, purpose: str | None) -> bool:
    """Whether a current membership of the person is led by an agency that shares with `viewer`.

    The lead agencies are read first (one index probe): most people have none, or one, so the
    purposes' grids are opened only until one of them shares with the viewer, not all of them."""
    leads = set(
        CohortMembership.objects.current()
        .filter(person_id=person_id)
        .values_list("lead_agency_id", flat=True)
    )
    if not leads:
        return False
    if viewer.agency_id in leads:
        return True
    cached = getattr(viewer, "_open_agencies", {})
    if purpose in cached or purpose:
        return bool(leads & open_agencies(viewer, purpose))
    # Imported here: protocols builds on people's models.
    from iomshare.protocols.decisions import purposes_for

    return any(leads & open_agencies(viewer, code) for code in (p.code for p in purposes_for(viewer)))


def _led_or_identified_by(agency_id: int, person_id) -> bool:
    """In a current cohort membership the agency leads, or holding its identifier: one plain query,
    as every read of a person through the API passes here (see iomshare.plain_sql)."""
    person = sql.param(CohortMembership, "person", person_id)
    today = sql.param(CohortMembership, "started_on", timezone.localdate())
    (found,) = sql.rows(
        _led_or_identified_sql(connection.vendor), [person, agency_id, today, today, person, agency_id]
    )[0]
    return bool(found)


@lru_cache(maxsize=2)
def _led_or_identified_sql(vendor: str) -> str:
    cohort, identifier = CohortMembership, AgencyIdentifier
    return (
        f"SELECT EXISTS (SELECT 1 FROM {sql.table(cohort)} WHERE {sql.column(cohort, 'person')} = %s "  # noqa: S608
        f"AND {sql.column(cohort, 'lead_agency')} = %s "
        f"AND {sql.column(cohort, 'started_on')} <= %s AND ({sql.column(cohort, 'ended_on')} IS NULL "
        f"OR {sql.column(cohort, 'ended_on')} >= %s)) "
        f"OR EXISTS (SELECT 1 FROM {sql.table(identifier)} WHERE {sql.column(identifier, 'person')} = %s "
        f"AND {sql.column(identifier, 'agency')} = %s)"
    )


def _key_worker_of(viewer: StaffMember) -> Exists:
    """Whether `viewer` is a key worker of the outer query's membership (no join, so no repeated rows)."""
    through = CohortMembership.key_workers.through
    return Exists(through.objects.filter(cohortmembership_id=OuterRef("pk"), staffmember_id=viewer.pk))


def visible_memberships(viewer: StaffMember, purpose: str | None = None) -> CohortMembershipQuerySet:
    """Cohort memberships listed to `viewer`, of people they may know: those led by an open agency,
    and those they are a key worker of (the lead agency put them on the case). `is_open` says whether
    the tier and lead agency may be shown: always to staff; to a volunteer (their caseload only) only
    where an open agency leads, so a volunteer's allocated person is listed by name alone otherwise."""
    if getattr(viewer, "agency_id", None) is None:
        return CohortMembership.objects.none()
    opened = open_agencies(viewer, purpose)
    allocated = Q(_key_worker_of(viewer))
    if is_volunteer(viewer):
        listed, shown = allocated, Q(lead_agency_id__in=opened)
    else:
        listed = shown = Q(lead_agency_id__in=opened) | allocated
    return CohortMembership.objects.filter(
        listed, person__in=known_people(viewer, purpose).values("pk")
    ).annotate(is_open=Case(When(shown, then=Value(True)), default=Value(False), output_field=BooleanField()))


def person_details(viewer: StaffMember, purpose: str | None = None, *, current_only: bool = False) -> list:
    """Prefetches that load only the identifiers, memberships and key workers `viewer` may see,
    under the names pages and the API read (`identifiers`, `memberships`, `current_memberships`)."""
    opened = open_agencies(viewer, purpose)
    key_workers = Prefetch(
        "key_workers", queryset=StaffMember.objects.filter(agency_id__in=opened).select_related("agency")
    )
    shown = Q(lead_agency_id__in=opened)
    if not is_volunteer(viewer):
        shown |= Q(_key_worker_of(viewer))  # staff see the membership they work on, whoever leads it
    memberships = CohortMembership.objects.filter(shown)
    memberships = memberships.select_related("lead_agency").prefetch_related(key_workers)
    return [
        Prefetch(
            "identifiers",
            queryset=AgencyIdentifier.objects.filter(agency_id__in=opened).select_related("agency"),
        ),
        Prefetch("memberships", queryset=memberships),
        Prefetch(
            "memberships",
            queryset=memberships.current().order_by("-started_on"),
            to_attr="current_memberships",
        ),
    ]


def person_for(viewer: StaffMember, person_id, purpose: str | None = None) -> Person | None:
    """The person with only what `viewer` may see about them, or None if absent or not theirs to
    know (an access list, or outside the rule: callers answer exactly as for nobody)."""
    if not may_know(viewer, person_id, purpose):
        return None
    return Person.objects.filter(pk=person_id).prefetch_related(*person_details(viewer, purpose)).first()


def people_known_matching(viewer: StaffMember, people: QuerySet[Person]) -> QuerySet[Person]:
    """`people` narrowed to those `viewer` may know, with only the details they may see."""
    return people.filter(pk__in=known_people(viewer).values("pk")).prefetch_related(*person_details(viewer))
