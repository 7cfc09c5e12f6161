"""The machine API's people endpoints: finding a person and reading who they are (not item content)."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router

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
    identifier or an item), and not hidden from them by an access list."""
    if viewer.agency_id is None:
        return Person.objects.none()
    known = (
        Q(id__in=CohortMembership.objects.current().values("person_id"))
        | Q(id__in=AgencyIdentifier.objects.filter(agency_id=viewer.agency_id).values("person_id"))
        | Q(id__in=records.person_ids_held_by(viewer.agency_id))
    )
    return Person.objects.filter(known).exclude(id__in=hidden_person_ids(viewer))


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
        may = (
            may_see_person(viewer, person.pk)
            if to_record
            else visible_people(viewer).filter(pk=person.pk).exists()
        )
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
