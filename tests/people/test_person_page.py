"""The person page pages through a long timeline, reading and recording only the page shown."""

import re

import pytest

from iomshare.ledger.models import Action, LedgerEntry
from tests.factories import CohortMembershipFactory, InformationItemFactory

pytestmark = pytest.mark.django_db
ITEM_ID = re.compile(r'id="item-([0-9a-f-]{36})"')
SUMMARY_ITEM_ID = re.compile(r'data-summary-item="([0-9a-f-]{36})"')


def test_a_long_timeline_is_shown_twenty_items_a_page(client, officer, person):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    for _ in range(50):
        InformationItemFactory(person=person, holding_agency=officer.agency, author=officer)
    client.force_login(officer)
    first = client.get(f"/cohort/people/{person.pk}/")
    assert len(ITEM_ID.findall(first.content.decode())) == 20
    assert "Page 1 of 3" in first.content.decode()
    last = client.get(f"/cohort/people/{person.pk}/", {"page": 3})
    shown = ITEM_ID.findall(last.content.decode())
    assert len(shown) == 10 and not set(shown) & set(ITEM_ID.findall(first.content.decode()))
    entry = LedgerEntry.objects.filter(action=Action.VIEW).latest("pk")
    # One entry names the page of the timeline and the summary above it (its latest contact).
    summarised = SUMMARY_ITEM_ID.findall(last.content.decode())
    assert len(summarised) == 1
    assert sorted(entry.item_ids) == sorted({*shown, *summarised}) and entry.details["offset"] == 40
    past_the_end = client.get(f"/cohort/people/{person.pk}/", {"page": 9})
    assert ITEM_ID.findall(past_the_end.content.decode()) == shown


def test_a_page_read_past_the_end_writes_one_view_entry_naming_the_items_shown(client, officer, person):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    for _ in range(45):
        InformationItemFactory(person=person, holding_agency=officer.agency, author=officer)
    client.force_login(officer)
    views_before = LedgerEntry.objects.filter(action=Action.VIEW).count()
    past_the_end = client.get(f"/cohort/people/{person.pk}/", {"page": 9})
    shown = ITEM_ID.findall(past_the_end.content.decode())
    assert len(shown) == 5 and "Page 3 of 3" in past_the_end.content.decode()
    entries = list(LedgerEntry.objects.filter(action=Action.VIEW).order_by("pk")[views_before:])
    assert len(entries) == 1
    # The entry names every item the page shows: the timeline's page and the summary's items.
    in_summary = re.findall(r'data-summary-item="([0-9a-f-]+)"', past_the_end.content.decode())
    assert sorted(entries[0].item_ids) == sorted({*shown, *in_summary}) and entries[0].details["offset"] == 40
