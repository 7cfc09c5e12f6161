"""The machine API's people endpoints: finding a person and reading who they are (not item content)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from iomshare.errors import NotFound
from iomshare.exchange.schemas import PersonOut, PersonPage, PersonSearchParams
from iomshare.kit.api import PROBLEMS, caller
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Outcome
from iomshare.partnership.models import StaffMember
from iomshare.people import visibility
from iomshare.people.access_lists import may_see_person
from iomshare.people.models import Person
from iomshare.people.selectors import people_matching

router = Router(tags=["persons"])


def visible_people(viewer: StaffMember) -> QuerySet[Person]:
    """The people `viewer` may know exist (people.visibility: the one rule every surface asks)."""
    return visibility.known_people(viewer)


def may_know(viewer: StaffMember, person_id: uuid.UUID) -> bool:
    """Whether `viewer` may know `person_id` exists (people.visibility.may_know)."""
    return visibility.may_know(viewer, person_id)


def person_or_404(
    person_id: uuid.UUID, viewer: StaffMember, *, to_record: bool = False, with_details: bool = True
) -> Person:
    """The person with `person_id` (with identifiers and cohort unless `with_details` is false), or a
    404 problem.

    A person outside everything `viewer` may see answers exactly as one who does not exist, so that
    callers cannot probe for who exists. Recording a first item about someone needs only that no
    access list hides them.
    """
    if to_record:
        person = Person.objects.filter(pk=person_id).first()
        if person is not None and may_see_person(viewer, person.pk):
            return person
    elif with_details:
        person = visibility.person_for(viewer, person_id)
        if person is not None:
            return person
    # Without details only the "may know" rule is asked: the details' prefetches would open every
    # purpose's sharing grid, several times the cost of the read the caller is about to make.
    elif visibility.may_know(viewer, person_id):
        person = Person.objects.filter(pk=person_id).first()
        if person is not None:
            return person
    raise NotFound(f"There is no person with the id {person_id}.")


@router.get("/persons", response={200: PersonPage, **PROBLEMS}, url_name="persons")
def search_persons(request: HttpRequest, params: Query[PersonSearchParams]):
    """Find people by words of their name, or by one of their identifiers exactly."""
    viewer = caller(request)
    matches = people_matching(params.q, viewer)
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
