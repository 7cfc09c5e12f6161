"""Item content is sealed at rest, and disposal destroys it for good (invariant 6)."""

import datetime as dt
import json
import sqlite3
import stat

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records import disposal, sealing, services
from iomshare.records.models import DataKey, InformationItem, ItemCorrection, ItemStatus
from tests.factories import PersonFactory, StaffMemberFactory

SECRET = "Zephyrine-Quillfeather"  # appears nowhere but in the content under test


@pytest.fixture(autouse=True)
def master_key_file(tmp_path, settings):
    """Each test gets its own key file: rotations here must never touch var/master_keys."""
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    sealing.key_cache.clear()
    yield settings.IOMSHARE_MASTER_KEY_FILE
    sealing.key_cache.clear()


@pytest.fixture
def ig_lead(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


def record(officer, person, category, n=0, **fields):
    return services.record_item(
        by=officer,
        person=person,
        category=category,
        summary=fields.pop("summary", f"{SECRET} summary {n}"),
        details=fields.pop("details", f"{SECRET} details {n}"),
        payload=fields.pop(
            "payload", {"form": "contact", "version": 2, "answers": {"note": f"{SECRET} {n}"}}
        ),
        **fields,
    )


def fresh(item):
    """The item as a new request would load it: nothing cached on the instance."""
    return InformationItem.objects.get(pk=item.pk)


def database_text() -> str:
    """Every value in every table, as text (bytes as Latin-1): what a dump of the database holds."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


# -- Sealing --------------------------------------------------------------------------------------


def test_content_round_trips_and_no_column_holds_it_in_the_clear(officer, person, accommodation):
    item = record(officer, person, accommodation)
    loaded = fresh(item)
    assert loaded.summary == f"{SECRET} summary 0"
    assert loaded.details == f"{SECRET} details 0"
    assert loaded.payload == {"form": "contact", "version": 2, "answers": {"note": f"{SECRET} 0"}}
    assert (loaded.form_code, loaded.form_version) == ("contact", 2)
    assert SECRET not in database_text()


def test_the_master_key_lives_outside_the_database_in_a_file_only_its_owner_reads(
    officer, person, accommodation, master_key_file
):
    record(officer, person, accommodation)
    assert stat.S_IMODE(master_key_file.stat().st_mode) == 0o600
    master = json.loads(master_key_file.read_text())["keys"]
    for encoded in master.values():
        assert encoded not in database_text()
    key = DataKey.objects.get(person=person, holding_agency=officer.agency)
    assert len(bytes(key.wrapped)) == 12 + 32 + 16  # nonce, data key, tag: wrapped, never bare


def test_content_moved_to_another_items_row_does_not_open(officer, person, accommodation):
    first, second = record(officer, person, accommodation, 1), record(officer, person, accommodation, 2)
    # Same bucket, same data key: only the associated data (the item id) tells the rows apart.
    InformationItem.objects.filter(pk=second.pk).update(sealed_content=bytes(fresh(first).sealed_content))
    assert fresh(first).summary == f"{SECRET} summary 1"
    with pytest.raises(sealing.ContentUnavailable, match="does not belong to this item"):
        _ = fresh(second).summary


def test_altered_content_does_not_open(officer, person, accommodation):
    item = record(officer, person, accommodation)
    sealed = bytearray(fresh(item).sealed_content)
    sealed[-20] ^= 0x01
    InformationItem.objects.filter(pk=item.pk).update(sealed_content=bytes(sealed))
    with pytest.raises(sealing.ContentUnavailable, match="integrity check"):
        _ = fresh(item).details


def test_a_data_key_wrapped_for_another_bucket_does_not_unwrap(officer, person, accommodation):
    other = PersonFactory()
    record(officer, person, accommodation)
    moved = record(officer, other, accommodation)
    mine = DataKey.objects.get(person=person)
    DataKey.objects.filter(person=other).update(wrapped=bytes(mine.wrapped), serial=mine.serial)
    sealing.key_cache.clear()
    with pytest.raises(sealing.ContentUnavailable, match="altered or moved"):
        _ = fresh(moved).summary


def test_one_data_key_per_person_and_holding_agency_not_per_item(
    officer, probation_officer, person, accommodation
):
    for n in range(3):
        record(officer, person, accommodation, n)
    record(probation_officer, person, accommodation, 9)
    assert sorted(DataKey.objects.values_list("holding_agency__code", flat=True)) == ["police", "probation"]


def test_correction_history_is_sealed_under_the_items_key(officer, person, accommodation):
    item = record(officer, person, accommodation)
    services.correct_item(
        item,
        by=officer,
        changes={"summary": "Moved to a hostel", "details": "New address"},
        reason="Out of date",
    )
    correction = ItemCorrection.objects.get(item=item)
    assert correction.previous == {"summary": f"{SECRET} summary 0", "details": f"{SECRET} details 0"}
    assert correction.changes == {"summary": "Moved to a hostel", "details": "New address"}
    assert fresh(item).summary == "Moved to a hostel"
    assert SECRET not in database_text()


def test_bulk_recording_seals_every_row(officer, person, accommodation):
    """On PostgreSQL this goes through COPY; on SQLite through bulk_create."""
    other = PersonFactory()
    rows = [
        {
            "person_id": who.pk,
            "category_id": accommodation.pk,
            "summary": f"{SECRET} bulk {n}",
            "details": "line one\n\tline two \\ backslash",
            "payload": {"form": "contact", "version": 1, "answers": {"n": n}},
        }
        for n, who in enumerate([person, other, person])
    ]
    ids = services.record_items_in_bulk(rows, by=officer)
    items = [InformationItem.objects.get(pk=item_id) for item_id in ids]
    assert [item.summary for item in items] == [f"{SECRET} bulk {n}" for n in range(3)]
    assert {item.details for item in items} == {"line one\n\tline two \\ backslash"}
    assert [item.payload["answers"]["n"] for item in items] == [0, 1, 2]
    assert {(item.form_code, item.form_version) for item in items} == {("contact", 1)}
    assert DataKey.objects.count() == 2
    assert SECRET not in database_text()


def test_a_merge_reseals_items_under_the_survivors_keys(officer, person, accommodation):
    absorbed = PersonFactory()
    item = record(officer, absorbed, accommodation)
    services.correct_item(item, by=officer, changes={"summary": "Corrected"}, reason="Typo")
    moved = services.reassign_items(absorbed, person, by=None)
    assert moved == [str(item.pk)]
    loaded = fresh(item)
    assert loaded.person_id == person.pk and loaded.summary == "Corrected"
    assert ItemCorrection.objects.get(item=item).previous == {"summary": f"{SECRET} summary 0"}
    assert services.restore_items(moved, absorbed, by=None) == 1
    assert fresh(item).summary == "Corrected"


# -- Disposal -------------------------------------------------------------------------------------


def test_disposal_leaves_a_certificate_and_no_content_anywhere(officer, ig_lead, person, accommodation):
    doomed = record(officer, person, accommodation, 1)
    services.correct_item(doomed, by=officer, changes={"details": "Revised"}, reason="Updated by officer")
    kept = record(officer, person, accommodation, 2, summary="Kept summary", details="Kept details")
    services.correct_item(kept, by=officer, changes={"details": "Kept and revised"}, reason="Update")

    [certificate] = services.dispose_items(
        [doomed.pk], by=ig_lead, rule="police-contact-6y", reason="Expired"
    )

    gone = fresh(doomed)
    assert gone.status == ItemStatus.DISPOSED
    assert (gone.summary, gone.details, gone.payload) == ("", "", {})
    assert gone.sealed_content is None and gone.form_code == ""
    assert ItemCorrection.objects.get(item=doomed).sealed_history is None
    assert SECRET + " summary 1" not in database_text() and SECRET + " details 1" not in database_text()
    # The bucket's survivor was re-sealed under a new key and still reads.
    assert fresh(kept).details == "Kept and revised"
    assert ItemCorrection.objects.get(item=kept).previous == {"details": "Kept details"}
    assert DataKey.objects.get(person=person).serial == 2

    entry = LedgerEntry.objects.get(action=Action.DISPOSED)
    assert entry.pk == certificate.ledger_entry_id and entry.item_ids == [str(doomed.pk)]
    assert entry.details["certificate"] == {
        "item_id": str(doomed.pk),
        "category": "accommodation",
        "holding_agency": "police",
        "person_id": str(person.pk),
        "recorded_at": doomed.recorded_at.isoformat(),
        "rule": "police-contact-6y",
        "reason": "Expired",
    }
    assert entry.at == certificate.disposed_at and entry.person_id == person.pk
    assert entry.actor_id == ig_lead.pk and certificate.by_id == ig_lead.pk
    with pytest.raises(InvalidInput, match="disposed of"):
        services.correct_item(gone, by=officer, changes={"summary": "Back"}, reason="Try")


def test_content_sealed_under_a_disposed_buckets_old_key_no_longer_opens(
    officer, ig_lead, person, accommodation
):
    doomed = record(officer, person, accommodation, 1)
    old_sealed = bytes(fresh(doomed).sealed_content)
    services.dispose_items([doomed.pk], by=ig_lead, rule="r", reason="Expired")
    # Put the old ciphertext back (as from a backup): the bucket's current key cannot open it.
    InformationItem.objects.filter(pk=doomed.pk).update(sealed_content=old_sealed, status=ItemStatus.LIVE)
    sealing.key_cache.clear()
    with pytest.raises(sealing.ContentUnavailable, match="destroyed"):
        _ = fresh(doomed).summary


def test_disposal_rotates_the_master_key_and_erases_the_old_generation(
    officer, ig_lead, person, accommodation, master_key_file
):
    doomed, kept = (
        record(officer, person, accommodation, 1),
        record(officer, PersonFactory(), accommodation, 2),
    )
    before = json.loads(master_key_file.read_text())
    services.dispose_items([doomed.pk], by=ig_lead, rule="r", reason="Expired")
    after = json.loads(master_key_file.read_text())
    assert list(after["keys"]) == [str(before["current"] + 1)] and after["rotation_due"] is False
    assert set(DataKey.objects.values_list("generation", flat=True)) == {after["current"]}
    sealing.key_cache.clear()
    assert fresh(kept).summary == f"{SECRET} summary 2"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rotate", [True, False])
def test_a_backup_restored_after_disposal_cannot_bring_the_content_back(rotate, master_key_file):
    """Back the database up, dispose, restore the backup: the content stays gone.

    Without the master key rotation it would come back (the `rotate=False` case shows the threat
    the rotation answers). SQLite's backup API copies and restores the whole database; on
    PostgreSQL the rows a backup would hold are kept and put back instead.
    """
    from tests.factories import AgencyFactory, CategoryFactory

    police = AgencyFactory(code="police")
    officer = StaffMemberFactory(agency=police)
    lead = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    person = PersonFactory()
    doomed = record(officer, person, CategoryFactory(code="accommodation"), 1)

    if connection.vendor == "sqlite":
        connection.ensure_connection()
        backup = sqlite3.connect(":memory:")
        connection.connection.backup(backup)
    else:
        saved_item = InformationItem.objects.filter(pk=doomed.pk).values("sealed_content", "status").get()
        saved_key = DataKey.objects.filter(person=person).values("serial", "generation", "wrapped").get()

    services.dispose_items([doomed.pk], by=lead, rule="r", reason="Expired", rotate_master_key=rotate)
    assert fresh(doomed).summary == ""

    if connection.vendor == "sqlite":
        backup.backup(connection.connection)  # the restore
        backup.close()
    else:
        InformationItem.objects.filter(pk=doomed.pk).update(**saved_item)
        DataKey.objects.filter(person=person).update(**saved_key)
    sealing.key_cache.clear()

    restored = fresh(doomed)
    assert restored.status == ItemStatus.LIVE and restored.sealed_content is not None
    if rotate:
        with pytest.raises(sealing.ContentUnavailable, match="master key generation"):
            _ = restored.summary
    else:
        assert restored.summary == f"{SECRET} summary 1"


def test_disposing_again_is_a_no_op(officer, ig_lead, person, accommodation):
    item = record(officer, person, accommodation)
    assert len(services.dispose_items([item.pk], by=ig_lead, rule="r", reason="Expired")) == 1
    serial = DataKey.objects.get(person=person).serial
    assert services.dispose_items([item.pk], by=ig_lead, rule="r", reason="Expired") == []
    assert LedgerEntry.objects.filter(action=Action.DISPOSED).count() == 1
    assert DataKey.objects.get(person=person).serial == serial


def test_a_disposal_killed_between_buckets_finishes_when_run_again(
    officer, ig_lead, accommodation, master_key_file, monkeypatch
):
    people = [PersonFactory() for _ in range(3)]
    items = [record(officer, who, accommodation, n) for n, who in enumerate(people)]
    first_generation = json.loads(master_key_file.read_text())["current"]
    real_bucket = disposal._dispose_bucket
    calls = []

    def dies_on_the_second_bucket(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        return real_bucket(*args, **kwargs)

    monkeypatch.setattr(disposal, "_dispose_bucket", dies_on_the_second_bucket)
    with pytest.raises(KeyboardInterrupt):
        services.dispose_items([item.pk for item in items], by=ig_lead, rule="r", reason="Expired")
    statuses = [fresh(item).status for item in items]
    assert statuses.count(ItemStatus.DISPOSED) == 1
    interrupted = json.loads(master_key_file.read_text())
    assert interrupted["rotation_due"] is True and str(first_generation) in interrupted["keys"]

    monkeypatch.setattr(disposal, "_dispose_bucket", real_bucket)
    again = services.dispose_items([item.pk for item in items], by=ig_lead, rule="r", reason="Expired")
    assert len(again) == 2
    assert all(fresh(item).status == ItemStatus.DISPOSED for item in items)
    assert LedgerEntry.objects.filter(action=Action.DISPOSED).count() == 3
    finished = json.loads(master_key_file.read_text())
    assert finished["rotation_due"] is False and list(finished["keys"]) == [str(finished["current"])]


def test_a_rotation_owed_by_a_killed_run_happens_even_if_nothing_is_left_to_dispose(
    officer, ig_lead, person, accommodation, master_key_file
):
    item = record(officer, person, accommodation)
    services.dispose_items([item.pk], by=ig_lead, rule="r", reason="Expired", rotate_master_key=False)
    assert json.loads(master_key_file.read_text())["rotation_due"] is True
    assert services.dispose_items([item.pk], by=ig_lead, rule="r", reason="Expired") == []
    assert json.loads(master_key_file.read_text())["rotation_due"] is False


def test_only_the_holding_agencys_information_governance_lead_disposes(
    officer, probation, person, accommodation
):
    item = record(officer, person, accommodation)
    other_lead = StaffMemberFactory(agency=probation, role=Role.IG_LEAD)
    for who in (officer, other_lead):
        with pytest.raises(NotPermitted):
            services.dispose_items([item.pk], by=who, rule="r", reason="Expired")
    assert fresh(item).status == ItemStatus.LIVE


def test_a_scheduled_sweep_disposes_without_a_person(officer, person, accommodation):
    item = record(officer, person, accommodation)
    [certificate] = services.dispose_items([item.pk], by=None, rule="sweep", reason="Retention period ended")
    assert certificate.by_id is None and fresh(item).status == ItemStatus.DISPOSED


def test_bad_disposal_requests_name_the_problem_and_change_nothing(officer, ig_lead, person, accommodation):
    item = record(officer, person, accommodation)
    with pytest.raises(InvalidInput) as error:
        services.dispose_items([item.pk, "not-an-id"], by=ig_lead, rule=" ", reason="")
    assert error.value.field_errors == {
        "rule": "Name the retention rule the information is disposed of under",
        "reason": "Enter why the information is being disposed of",
        "item_ids[1]": "'not-an-id' is not an item id",
    }
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(InvalidInput) as error:
        services.dispose_items([item.pk, missing], by=ig_lead, rule="r", reason="Expired")
    assert error.value.field_errors == {"item_ids": f"No item has the id {missing}"}
    assert fresh(item).status == ItemStatus.LIVE and not LedgerEntry.objects.filter(action=Action.DISPOSED)


def test_new_items_after_a_disposal_use_the_buckets_new_key(officer, ig_lead, person, accommodation):
    doomed = record(officer, person, accommodation, 1)
    services.dispose_items([doomed.pk], by=ig_lead, rule="r", reason="Expired")
    later = record(officer, person, accommodation, 2, valid_from=timezone.localdate() - dt.timedelta(days=1))
    assert sealing.serial_of(bytes(fresh(later).sealed_content)) == 2
    assert fresh(later).summary == f"{SECRET} summary 2"


def test_sealed_layout_carries_the_key_serial_and_a_fresh_nonce_each_time():
    cipher = AESGCM(AESGCM.generate_key(bit_length=256))
    first = sealing.seal(cipher, 7, b"aad", b"same text")
    second = sealing.seal(cipher, 7, b"aad", b"same text")
    assert sealing.serial_of(first) == 7 and first != second
    assert sealing.open_sealed(cipher, b"aad", second) == b"same text"
    with pytest.raises(sealing.ContentUnavailable):
        sealing.open_sealed(cipher, b"other", first)


def test_content_is_encoded_exactly_as_django_encodes_it_whatever_it_holds():
    """Plain JSON takes a faster encoder; anything else (dates, ids) falls back to Django's."""
    for summary, details, payload in [
        ("Seen at home", "", {"form": "contact", "version": 1, "answers": {"n": [1, 2.5, None, True]}}),
        ('é \u2028 "quoted" \\', "line\nbreak", {1: "an int key"}),
        ("Dated", "", {"on": dt.date(2026, 12, 6), "at": timezone.now(), "id": PersonFactory.build().pk}),
    ]:
        encoded = sealing.encode_content(summary, details, payload)
        assert encoded == sealing._ENCODER.encode([summary, details, payload]).encode()
        assert sealing.decode_content(encoded)[0] == summary


def test_a_bulk_writer_may_pass_its_own_nonce_but_only_a_whole_one():
    cipher = AESGCM(AESGCM.generate_key(bit_length=256))
    sealed = sealing.seal(cipher, 3, b"aad", b"text", nonce=b"n" * sealing.NONCE_BYTES)
    assert sealed[5 : sealing.HEADER_BYTES] == b"n" * sealing.NONCE_BYTES
    assert sealing.open_sealed(cipher, b"aad", sealed) == b"text"
    with pytest.raises(ValueError):
        sealing.seal(cipher, 3, b"aad", b"text", nonce=b"short")
