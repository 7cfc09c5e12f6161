"""The machine API's people endpoints: finding a person and reading who they are (not item content)."""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from iomshare import plain_sql as sql
from iomshare.errors import NotFound
from iomshare.exchange.auth import caller
from iomshare.exchange.schemas import PROBLEMS, PersonOut, PersonPage, PersonSearchParams
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import StaffMember
from iomshare.people.access_lists import hidden_person_ids, may_see_person
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person
from iomshare.people.selectors import people_matching, person_with_cohort
from iomshare.records import selectors as records

router = Router(tags=["persons"])


def visible_people(viewer: StaffMember) -> QuerySet[Person]:
    """The people `viewer` may know exist: in the cohort today, or known to their agency (an
    identifier or an item), and not hidden from them by an access list (`may_know` for one person)."""
    if viewer.agency_id is None:
        return Person.objects.none()
    # Correlated EXISTS: a probe of an index per person searched, rather than every item the
    # agency holds read for each search.
    known = (
        Exists(CohortMembership.objects.current().filter(person_id=OuterRef("pk")))
        | Exists(AgencyIdentifier.objects.filter(agency_id=viewer.agency_id, person_id=OuterRef("pk")))
        | records.holds_items_about(viewer.agency_id)
    )
    return Person.objects.filter(known).exclude(id__in=hidden_person_ids(viewer))


def may_know(viewer: StaffMember, person_id: uuid.UUID) -> bool:
    """Whether `person_id` is among `visible_people(viewer)`, by the same rule checked for one
    person, cheapest and most common reason first (a test holds the two to the same answers)."""
    return (
        viewer.agency_id is not None
        and may_see_person(viewer, person_id)
        and (
            _in_cohort_or_identified(viewer.agency_id, person_id)
            or records.agency_holds_items_about(viewer.agency_id, person_id)
        )
    )


def _in_cohort_or_identified(agency_id: int, person_id: uuid.UUID) -> bool:
    """In the cohort today, or holding an identifier of the agency: one plain query, as every read
    of a person passes here (see iomshare.plain_sql)."""
    person = sql.param(CohortMembership, "person", person_id)
    today = sql.param(CohortMembership, "started_on", timezone.localdate())
    (found,) = sql.rows(
        _cohort_or_identifier_sql(connection.vendor), [person, today, today, person, agency_id]
    )[0]
    return bool(found)


@lru_cache(maxsize=2)
def _cohort_or_identifier_sql(vendor: str) -> str:
    cohort, identifier = CohortMembership, AgencyIdentifier
    return (
        f"SELECT EXISTS (SELECT 1 FROM {sql.table(cohort)} WHERE {sql.column(cohort, 'person')} = %s "  # noqa: S608
        f"AND {sql.column(cohort, 'started_on')} <= %s AND ({sql.column(cohort, 'ended_on')} IS NULL "
        f"OR {sql.column(cohort, 'ended_on')} >= %s)) "
        f"OR EXISTS (SELECT 1 FROM {sql.table(identifier)} WHERE {sql.column(identifier, 'person')} = %s "
        f"AND {sql.column(identifier, 'agency')} = %s)"
    )


def person_or_404(
    person_id: uuid.UUID, viewer: StaffMember, *, to_record: bool = False, with_details: bool = True
) -> Person:
    """The person with `person_id` (with identifiers and cohort unless `with_details` is false), or a
    404 problem.

    A person outside everything `viewer` may see answers exactly as one who does not exist, so that
    callers cannot probe for who exists. Recording a first item about someone needs only that no
    access list hides them.
    """
    person = person_with_cohort(person_id) if with_details else Person.objects.filter(pk=person_id).first()
    if person is not None:
        may = may_see_person(viewer, person.pk) if to_record else may_know(viewer, person.pk)
        if may:
            return person
    raise NotFound(f"There is no person with the id {person_id}.")


@router.get("/persons", response={200: PersonPage, **PROBLEMS}, url_name="persons")
def search_persons(request: HttpRequest, params: Query[PersonSearchParams]):
    """Find people by words of their name, or by one of their identifiers exactly."""
    viewer = caller(request)
    matches = people_matching(params.q).filter(pk__in=visible_people(viewer).values("pk"))
    count = matches.count()
    ledger.record(
        Action.SEARCH,
        by=viewer,
        details={"terms": {"q": params.q}, "results": count, "offset": params.offset},
    )
    return {
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "results": list(matches[params.offset : params.offset + params.limit]),
    }


@router.get("/persons/{person_id}", response={200: PersonOut, **PROBLEMS}, url_name="person")
def get_person(request: HttpRequest, person_id: uuid.UUID):
    """One person: names, date of birth, identifiers, cohort memberships and key workers."""
    viewer = caller(request)
    person = person_or_404(person_id, viewer)
    ledger.record(Action.VIEW, by=viewer, person=person, outcome=Outcome.ALLOWED)
    return person
