"""The machine API's people endpoints: finding a person and reading who they are (not item content)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Query, Router

from iomshare.errors import NotFound
from iomshare.exchange.auth import caller
from iomshare.exchange.schemas import PROBLEMS, PersonOut, PersonPage, PersonSearchParams
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action, Outcome
from iomshare.people.models import Person
from iomshare.people.selectors import people_matching, person_with_cohort

router = Router(tags=["persons"])


def person_or_404(person_id: uuid.UUID) -> Person:
    """The person with `person_id`, with identifiers and cohort, or a 404 problem."""
    person = person_with_cohort(person_id)
    if person is None:
        raise NotFound(f"There is no person with the id {person_id}.")
    return person


@router.get("/persons", response={200: PersonPage, **PROBLEMS}, url_name="persons")
def search_persons(request: HttpRequest, params: Query[PersonSearchParams]):
    """Find people by words of their name, or by one of their identifiers exactly."""
    matches = people_matching(params.q)
    count = matches.count()
    ledger.record(
        Action.SEARCH,
        by=caller(request),
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
    person = person_or_404(person_id)
    ledger.record(Action.VIEW, by=caller(request), person=person, outcome=Outcome.ALLOWED)
    return person
