"""Who may know a person exists: the set rule (search) and the one-person rule (reads) agree."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.people.access_lists import add_to_access_list
from iomshare.people.api import may_know, visible_people
from iomshare.people.models import AccessListKind
from tests.factories import (
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db


def review() -> dict:
    """The review date every access list entry needs (people.access_lists): 90 days from the day the
    test runs."""
    return {"review_on": dt.date.today() + dt.timedelta(days=90)}


def test_the_one_person_check_gives_the_same_answer_as_the_search_rule_for_every_case(
    police, probation, officer, probation_officer
):
    """Every combination of the reasons to know someone (cohort today, ended membership, an
    identifier, an item, none) and of the access lists, for viewers of two agencies."""
    # Probation leads every cohort membership below, so its IG lead's entries are in force at once.
    lead = StaffMemberFactory(username="probation.ig", agency=probation, role=Role.IG_LEAD)
    colleague = StaffMemberFactory(username="colleague", agency=police)
    today = timezone.localdate()
    people = []
    for cohort, identifier, item, access_list in itertools.product(
        ("current", "ended", None), (True, False), (True, False), (None, "exclusion", "restriction")
    ):
        person = PersonFactory()
        if cohort:
            CohortMembershipFactory(
                person=person,
                lead_agency=probation,
                ended_on=None if cohort == "current" else today - dt.timedelta(days=1),
            )
        if identifier:
            AgencyIdentifierFactory(person=person, agency=police)
        if item:
            InformationItemFactory(person=person, holding_agency=police, author=officer)
        if access_list == "exclusion":
            add_to_access_list(
                person, AccessListKind.EXCLUSION, officer, by=lead, reason="Neighbour", **review()
            )
        elif access_list == "restriction":
            add_to_access_list(
                person, AccessListKind.RESTRICTION, colleague, by=lead, reason="Witness", **review()
            )
        people.append(person)

    for viewer in (officer, colleague, probation_officer):
        searchable = set(visible_people(viewer).values_list("pk", flat=True))
        checked = {person.pk for person in people if may_know(viewer, person.pk)}
        assert checked == searchable & {person.pk for person in people}, viewer.username
    # The cases really differ: some people are known to the officer and some are not.
    officer_knows = {person.pk for person in people if may_know(officer, person.pk)}
    assert 0 < len(officer_knows) < len(people)
