"""Bulk writes of identity rows (COPY on PostgreSQL): every value arrives as given, ids as stored."""

import datetime as dt

from iomshare.identity import bulk_rows
from iomshare.identity.models import EventKind, ResolutionEvent, SourceRecord
from iomshare.people.models import Person

AWKWARD = "tab\there, new\nline, back\\slash, \\N, carriage\rreturn, Zoë O’Brien"


def test_inserted_rows_get_the_ids_they_are_stored_under_and_every_value_as_given(agencies):
    people = [Person(given_name=AWKWARD, family_name=f"Marlow{n}", date_of_birth=None) for n in range(3)]
    bulk_rows.insert(Person, people)
    stored = Person.objects.in_bulk([p.pk for p in people])
    assert [(stored[p.pk].given_name, stored[p.pk].family_name) for p in people] == [
        (AWKWARD, f"Marlow{n}") for n in range(3)
    ]
    events = [ResolutionEvent(kind=EventKind.LINKED, person=p, summary=AWKWARD) for p in people]
    bulk_rows.insert(ResolutionEvent, events)
    assert all(event.pk is not None for event in events)
    assert {e.pk: e.person_id for e in ResolutionEvent.objects.all()} == {e.pk: e.person_id for e in events}
    assert set(ResolutionEvent.objects.values_list("summary", flat=True)) == {AWKWARD}


def test_values_inserted_without_models_take_the_defaults_of_the_fields_left_out(agencies):
    ids = bulk_rows.insert_values(
        SourceRecord,
        ["agency_id", "record_key", "family_name", "date_of_birth", "other_identifiers", "provenance"],
        [
            (agencies["police"].pk, "POL-1", AWKWARD, dt.date(1985, 2, 1), {"passport": "X\t1"}, "test"),
            (agencies["police"].pk, "POL-2", "", None, {}, "test"),
        ],
    )
    first, second = (SourceRecord.objects.get(pk=pk) for pk in ids)
    assert (first.record_key, first.family_name, first.date_of_birth) == (
        "POL-1",
        AWKWARD,
        dt.date(1985, 2, 1),
    )
    assert first.other_identifiers == {"passport": "X\t1"}
    assert (second.record_key, second.date_of_birth, second.aliases, second.warnings) == (
        "POL-2",
        None,
        [],
        [],
    )
    assert second.person is None and second.received_at is not None


def test_a_field_is_updated_row_by_row_in_one_statement(agencies):
    people = [Person(given_name="Casey", family_name=f"Marlow{n}") for n in range(3)]
    bulk_rows.insert(Person, people)
    bulk_rows.update_field(Person, "date_of_birth", {people[0].pk: dt.date(1990, 1, 2), people[2].pk: None})
    assert [p.date_of_birth for p in Person.objects.order_by("family_name")] == [
        dt.date(1990, 1, 2),
        None,
        None,
    ]
