import contextlib
import datetime as dt
import uuid

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records import bulk, item_rules, key_store, services
from iomshare.records.models import DataKey, InformationItem, ItemStatus, Sensitivity
from tests.factories import PersonFactory, StaffMemberFactory


def rows(person, category, count, **overrides):
    return [
        {"person_id": person.pk, "category_id": category.pk, "summary": f"Imported item {n}", **overrides}
        for n in range(count)
    ]


def test_items_are_recorded_in_bulk_held_by_the_recorders_agency_in_row_order(officer, person, accommodation):
    today = timezone.localdate()
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
    assert item.valid_from == today and item.review_by == today + dt.timedelta(days=365)


def test_one_invalid_row_means_no_item_is_recorded(officer, person, accommodation):
    batch = rows(person, accommodation, 3)
    batch[1]["summary"] = " "
    batch[2]["valid_from"] = timezone.localdate() + dt.timedelta(days=3)
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


# -- Speed-ups that must not change what is recorded -----------------------------------------------

summaries = st.text(alphabet=" ab", max_size=302)
days = st.integers(min_value=-3 * 366 - 3, max_value=3 * 366 + 3).map(
    lambda n: timezone.localdate() + dt.timedelta(days=n)
)


@given(
    summary=summaries,
    details_length=st.sampled_from([0, 20_000, 20_001]),
    sensitivity=st.sampled_from([0, 1, 2, 3]),
    valid_from=st.one_of(st.none(), days),
    valid_to=st.one_of(st.none(), days),
    review_by=st.one_of(st.none(), days),
)
@settings(max_examples=400, derandomize=True)
def test_the_bulk_check_refuses_exactly_what_the_item_rules_refuse(
    summary, details_length, sensitivity, valid_from, valid_to, review_by
):
    """_check_rows tests the common valid case inline; it must agree with item_errors on every row."""
    today = timezone.localdate()
    row = {"person_id": "p", "category_id": 1, "summary": summary, "details": "d" * details_length}
    row |= {
        "sensitivity": sensitivity,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "review_by": review_by,
    }
    expected = item_rules.item_errors(
        summary=summary.strip(),
        details="d" * details_length,
        sensitivity=sensitivity,
        valid_from=valid_from or today,
        valid_to=valid_to,
        review_by=review_by or today + dt.timedelta(days=365),
        today=today,
    )
    try:
        bulk._check_rows([row])
    except InvalidInput as error:
        assert error.field_errors == {f"rows[0].{name}": message for name, message in expected.items()}
    else:
        assert expected == {}


def test_bulk_ids_are_random_version_4_uuids_each_different():
    ids = bulk._new_item_ids(2000)
    assert len(set(ids)) == 2000
    assert {(item_id.version, item_id.variant) for item_id in ids} == {(4, uuid.RFC_4122)}


def test_every_batch_is_written_on_the_ledger_and_readable(officer, person, accommodation, monkeypatch):
    """Batches go to the database one behind (PostgreSQL): closing the recorder writes the last."""
    monkeypatch.setattr(bulk, "BULK_BATCH_SIZE", 2)
    other = PersonFactory()
    batch = rows(person, accommodation, 3) + rows(other, accommodation, 2)
    ids = services.record_items_in_bulk(batch, by=officer)
    assert [InformationItem.objects.get(pk=item_id).summary for item_id in ids] == [
        row["summary"] for row in batch
    ]
    entries = LedgerEntry.objects.filter(action="item_recorded").order_by("pk")
    assert [entry.item_ids for entry in entries] == [[str(i) for i in ids[n : n + 2]] for n in (0, 2, 4)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks foreign keys at the test's end")
def test_a_batch_the_database_refuses_undoes_every_batch(officer, person, accommodation, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_BATCH_SIZE", 2)
    batch = rows(person, accommodation, 4)
    # No such category: the database refuses the first batch, which fails while the second is sealed.
    batch[1]["category_id"] = accommodation.pk + 1000
    with pytest.raises(IntegrityError):
        services.record_items_in_bulk(batch, by=officer)
    assert InformationItem.objects.count() == 0 and not LedgerEntry.objects.filter(action="item_recorded")


def test_a_recorder_looks_up_each_persons_data_key_once_in_its_transaction(
    officer, person, accommodation, monkeypatch
):
    looked_up: list[set] = []
    current_keys = key_store.current_keys

    def spy(agency_id, person_ids):
        looked_up.append(set(person_ids))
        return current_keys(agency_id, person_ids)

    monkeypatch.setattr(key_store, "current_keys", spy)
    other = PersonFactory()
    with transaction.atomic(), services.BulkRecorder(by=officer) as recorder:
        recorder.record(rows(person, accommodation, 2))
        recorder.record(rows(person, accommodation, 2))
        ids = recorder.record(rows(person, accommodation, 1) + rows(other, accommodation, 1))
    assert looked_up == [{person.pk}, {other.pk}]
    assert [InformationItem.objects.get(pk=item_id).summary for item_id in ids] == [
        "Imported item 0",
        "Imported item 0",
    ]


def test_data_keys_found_in_a_savepoint_rolled_back_are_not_used_again(officer, person, accommodation):
    """The key made inside the savepoint is gone with it: sealing under it would lose the content."""
    with transaction.atomic(), services.BulkRecorder(by=officer) as recorder:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            recorder.record(rows(person, accommodation, 1))
            recorder.wait()
            raise RuntimeError("undo the savepoint")
        ids = recorder.record(rows(person, accommodation, 1))
    assert DataKey.objects.filter(person=person).count() == 1
    assert InformationItem.objects.get(pk=ids[0]).summary == "Imported item 0"


def test_outside_a_transaction_a_recorder_keeps_no_data_keys(officer, person, accommodation, monkeypatch):
    looked_up: list[set] = []
    current_keys = key_store.current_keys
    monkeypatch.setattr(
        key_store,
        "current_keys",
        lambda agency, people: looked_up.append(set(people)) or current_keys(agency, people),
    )
    monkeypatch.setattr(bulk, "_transaction_now", lambda: None)
    with services.BulkRecorder(by=officer) as recorder:
        recorder.record(rows(person, accommodation, 1))
        recorder.record(rows(person, accommodation, 1))
    assert looked_up == [{person.pk}, {person.pk}]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_data_key_in_use_by_a_recorder_stays_locked_until_its_transaction_ends(
    officer, person, accommodation
):
    """What makes keeping keys across batches safe: no disposal can replace a key meanwhile."""
    services.record_items_in_bulk(rows(person, accommodation, 1), by=officer)
    key_id = DataKey.objects.get(person=person).pk
    settings_dict = connection.settings_dict
    other = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    )
    lock = f"SELECT 1 FROM {DataKey._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT"  # noqa: S608
    try:
        with transaction.atomic(), services.BulkRecorder(by=officer) as recorder:
            recorder.record(rows(person, accommodation, 1))
            recorder.record(rows(person, accommodation, 1))
            recorder.wait()
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(lock, [key_id])
        assert other.execute(lock, [key_id]).fetchall() == [(1,)]
    finally:
        other.close()
