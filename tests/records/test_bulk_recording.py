import datetime as dt

import pytest
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records import services
from iomshare.records.models import InformationItem, ItemStatus, Sensitivity
from tests.factories import StaffMemberFactory

TODAY = timezone.localdate()


def rows(person, category, count, **overrides):
    return [
        {"person_id": person.pk, "category_id": category.pk, "summary": f"Imported item {n}", **overrides}
        for n in range(count)
    ]


def test_items_are_recorded_in_bulk_held_by_the_recorders_agency_in_row_order(officer, person, accommodation):
    ids = services.record_items_in_bulk(
        rows(person, accommodation, 3, payload={"form": "x", "version": 1, "answers": {"a": "b"}}), by=officer
    )
    items = {item.pk: item for item in InformationItem.objects.all()}
    assert list(items) and set(items) == set(ids)
    assert [items[i].summary for i in ids] == ["Imported item 0", "Imported item 1", "Imported item 2"]
    item = items[ids[0]]
    assert item.holding_agency == officer.agency and item.author == officer
    assert item.status == ItemStatus.LIVE and item.sensitivity == Sensitivity.OFFICIAL
    assert item.payload == {"form": "x", "version": 1, "answers": {"a": "b"}}
    assert item.valid_from == TODAY and item.review_by == TODAY + dt.timedelta(days=365)


def test_one_invalid_row_means_no_item_is_recorded(officer, person, accommodation):
    batch = rows(person, accommodation, 3)
    batch[1]["summary"] = " "
    batch[2]["valid_from"] = TODAY + dt.timedelta(days=3)
    with pytest.raises(InvalidInput) as error:
        services.record_items_in_bulk(batch, by=officer)
    assert error.value.field_errors == {
        "rows[1].summary": "Enter a summary of the information",
        "rows[2].valid_from": "The date the information applies from must be today or in the past",
    }
    assert InformationItem.objects.count() == 0


def test_bulk_recording_follows_the_same_role_rule_as_one_item(police, person, accommodation):
    admin = StaffMemberFactory(agency=police, role=Role.ADMIN)
    with pytest.raises(NotPermitted):
        services.record_items_in_bulk(rows(person, accommodation, 1), by=admin)


def test_bulk_recording_is_on_the_ledger_naming_every_item(officer, person, accommodation):
    ids = services.record_items_in_bulk(rows(person, accommodation, 4), by=officer)
    entry = LedgerEntry.objects.get(action="item_recorded")
    assert sorted(entry.item_ids) == sorted(map(str, ids))
    assert entry.holding_agencies == ["police"]
