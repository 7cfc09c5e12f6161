"""A practice note that names a known person or carries an identifier is refused, saying which words and why."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iomshare.errors import InvalidInput
from iomshare.knowledge.models import PracticeNote
from iomshare.knowledge.naming import personal_details_in
from iomshare.knowledge.services import write_practice_note
from iomshare.people.models import IdentifierScheme
from tests.factories import (
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db


def words(text: str) -> list[str]:
    return [finding.words for finding in personal_details_in(text)]


def note(by, lesson: str, title: str = "Housing first worked"):
    return write_practice_note(
        by=by, title=title, lesson=lesson, pathway="accommodation", offence_group="", learned_from="case"
    )


def test_a_cohort_members_full_name_is_refused_and_nothing_is_saved():
    member = CohortMembershipFactory(person=PersonFactory(given_name="Darren", family_name="Quayle")).person
    author = StaffMemberFactory()
    with pytest.raises(InvalidInput) as refused:
        note(author, f"Meeting {member.given_name} {member.family_name} at the hostel settled him.")
    message = refused.value.field_errors["lesson"]
    assert "“Darren Quayle” is the name of a person the partnership knows" in message
    assert "Describe the person instead" in message
    assert PracticeNote.objects.count() == 0


@pytest.mark.parametrize(
    "written",
    ["QUAYLE, Darren", "quayle darren", "darren quayle", "Quayle Darren", "Darren  QUAYLE"],
)
def test_family_name_and_given_name_in_either_order_and_any_case_are_found(written):
    PersonFactory(given_name="Darren", family_name="Quayle")
    assert words(f"We spoke to {written} twice.") == [written]


def test_a_multi_word_family_name_is_found():
    PersonFactory(given_name="Mary Ann", family_name="Van der Berg")
    assert words("Working with Mary Ann van der Berg taught us patience.") == ["Mary Ann van der Berg"]


def test_a_family_name_alone_or_a_given_name_alone_is_not_a_name():
    PersonFactory(given_name="Grace", family_name="Hill")
    assert words("Grace periods on rent arrears helped; the hostel on the hill did too.") == []


def test_the_title_is_checked_too_and_named_as_the_field():
    PersonFactory(given_name="Darren", family_name="Quayle")
    with pytest.raises(InvalidInput) as refused:
        note(StaffMemberFactory(), "A clean lesson.", title="What Darren Quayle taught us")
    assert set(refused.value.field_errors) == {"title"}


@pytest.mark.parametrize(
    ("text", "found", "why"),
    [
        ("PNC 2012/0012345K was wrong on the referral.", "2012/0012345K", "looks like a PNC ID"),
        ("His NHS number 943 476 5919 was on the letter.", "943 476 5919", "looks like an NHS number"),
        ("Prison number A1234BC was quoted.", "A1234BC", "looks like a NOMIS prison number"),
        ("CRO 123456/89A came up.", "123456/89A", "looks like a CRO number"),
    ],
)
def test_identifiers_are_refused_by_their_shape(text, found, why):
    assert [(f.words, f.why) for f in personal_details_in(text)] == [(found, why)]


def test_a_telephone_number_is_not_an_nhs_number():
    assert words("Ring the team on 0161 496 0000 or 0161 4960000.") == []


def test_any_identifier_an_agency_holds_is_refused():
    AgencyIdentifierFactory(scheme=IdentifierScheme.LOCAL, value="HX-77812")
    author = StaffMemberFactory()
    with pytest.raises(InvalidInput) as refused:
        note(author, "The council case hx-77812 shows that early contact matters.")
    assert "“hx-77812” is an identifier an agency holds for a person" in refused.value.field_errors["lesson"]
    assert PracticeNote.objects.count() == 0


def test_a_clean_note_is_saved():
    PersonFactory(given_name="Darren", family_name="Quayle")
    saved = note(
        StaffMemberFactory(), "A man in his thirties settled once a tenancy was found before release."
    )
    assert saved.pk and saved.pathway.code == "accommodation"


def test_the_check_looks_names_up_in_two_queries_however_many_people_there_are():
    for n in range(50):
        letters = "".join(chr(ord("a") + int(digit)) for digit in str(n))
        PersonFactory(given_name=f"Given{letters}", family_name=f"Family{letters}")
    text = "A long lesson. " * 60 + "Givenh Familyh was helped."
    with CaptureQueriesContext(connection) as queries:
        assert words(text) == ["Givenh Familyh"]
    assert len(queries.captured_queries) == 2  # one on family names, one on identifiers
