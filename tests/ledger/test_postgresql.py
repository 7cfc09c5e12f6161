# ruff: noqa: S608 (tampering is SQL on our own table names, by design)
"""PostgreSQL guarantees: the trigger, the append-only role, and many writers at once.

These run in CI's PostgreSQL pass (DATABASE_URL=postgres://...); SQLite has no roles, no triggers of
this kind and only one writer at a time, so there is nothing there to test.
"""

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from iomshare.ledger import services
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.ledger.verify import verify

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-only guarantee (runs in the PostgreSQL pass)"
)

TABLE = LedgerEntry._meta.db_table


@pytest.fixture
def one_entry(db):
    return services.append(services.Event(action=Action.SEARCH, details={"q": "smith"}))


@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET purpose = 'x'", f"DELETE FROM {TABLE}"],
    ids=["update", "delete"],
)
def test_the_trigger_refuses_to_change_or_delete_entries_even_for_the_owner(one_entry, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert LedgerEntry.objects.get().purpose == ""


def test_the_trigger_refuses_truncate_by_a_role_that_is_not_a_superuser(one_entry):
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE iomshare_ledger_test_owner NOSUPERUSER")
        cursor.execute(f"GRANT TRUNCATE, SELECT ON {TABLE} TO iomshare_ledger_test_owner")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL ROLE iomshare_ledger_test_owner")
        cursor.execute(f"TRUNCATE {TABLE}")
    assert LedgerEntry.objects.count() == 1


def test_grant_append_only_lets_the_app_role_insert_and_read_but_never_change(one_entry):
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE iomshare_ledger_test_app NOSUPERUSER")
        cursor.execute(f"GRANT ALL ON {TABLE} TO iomshare_ledger_test_app")
    call_command("ledger", "grant-append-only", "--role", "iomshare_ledger_test_app")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'iomshare_ledger_test_app' AND table_name = %s ORDER BY 1",
            [TABLE],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]
        cursor.execute("SET LOCAL ROLE iomshare_ledger_test_app")
    appended = services.append(services.Event(action=Action.SEARCH, details={"q": "jones"}))
    assert appended.lane_seq >= 1
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [appended.pk])


def test_grant_append_only_names_a_missing_role(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no database role called 'nobody_here'"):
        call_command("ledger", "grant-append-only", "--role", "nobody_here")


def _write_concurrently(writers: int, per_writer: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                if i % 5 == 4:
                    services.append_many(
                        [
                            services.Event(action=Action.VIEW, details={"writer": n, "i": i, "k": k})
                            for k in range(3)
                        ]
                    )
                else:
                    services.append(services.Event(action=Action.SEARCH, details={"writer": n, "i": i}))
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_writers_leave_valid_chains(settings):
    settings.LEDGER_CHECKPOINT_EVERY = 160  # so checkpoints are written while writers race
    assert _write_concurrently(writers=6, per_writer=30) == []
    assert LedgerEntry.objects.count() == 6 * (24 + 6 * 3)
    result = verify()
    assert result.ok, result.problems
    assert result.checkpoints_checked >= 1
    assert len({lane for (lane,) in LedgerEntry.objects.values_list("lane")}) > 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_forced_into_one_lane_wait_for_each_other(monkeypatch):
    monkeypatch.setattr(services, "LANES", 1)
    assert _write_concurrently(writers=4, per_writer=20) == []
    assert set(LedgerEntry.objects.values_list("lane", flat=True)) == {0}
    assert list(LedgerEntry.objects.order_by("lane_seq").values_list("lane_seq", flat=True)) == list(
        range(1, 4 * (16 + 4 * 3) + 1)
    )
    assert verify().ok


@pytest.mark.parametrize(
    "remembered", [(0, "0" * 64), (1, "f" * 64), (7, "e" * 64)], ids=["behind", "forged", "ahead"]
)
def test_a_writer_whose_remembered_head_is_wrong_reads_it_again(db, in_lane, remembered):
    in_lane(3)
    first = services.append(services.Event(action=Action.SEARCH))
    connection._ledger_heads[3] = remembered
    second = services.append(services.Event(action=Action.SEARCH))
    assert (second.lane_seq, second.prev_hash) == (2, first.entry_hash)
    assert connection._ledger_heads[3] == (2, second.entry_hash)
    assert verify().ok


def _committed_ledger(in_lane) -> list[LedgerEntry]:
    entries = []
    for lane in (0, 5, 9):
        in_lane(lane)
        entries += [services.append(services.Event(action=Action.SEARCH, details={"n": n})) for n in range(7)]
    services.write_checkpoint()
    in_lane(5)
    entries.append(services.append(services.Event(action=Action.SEARCH)))
    return entries


def _tamper_committed(statement: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)


@pytest.mark.django_db(transaction=True)
def test_verify_over_several_connections_agrees_with_one(in_lane, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    _committed_ledger(in_lane)
    single, parallel = verify(workers=1), verify(workers=3)
    assert single.ok and parallel.ok
    assert (parallel.entries_checked, parallel.lane_heads) == (single.entries_checked, single.lane_heads)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("position", [1, 7, 8, 14, 20])
def test_verify_over_several_connections_catches_a_deleted_entry_wherever_it_falls(
    in_lane, settings, tmp_path, position
):
    """Deleting the entry at each segment edge is caught where the segments are stitched together."""
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    entries = _committed_ledger(in_lane)
    victim = entries[position]
    _tamper_committed(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    single, parallel = verify(workers=1), verify(workers=3)
    assert not parallel.ok
    assert [str(p) for p in parallel.problems] == [str(p) for p in single.problems]


@pytest.mark.django_db(transaction=True)
def test_verify_over_several_connections_catches_an_edit(in_lane, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    entries = _committed_ledger(in_lane)
    _tamper_committed(f"UPDATE {TABLE} SET purpose = 'edited' WHERE id = %s", [entries[15].pk])
    result = verify(workers=3)
    assert result.first_problem.entry_id == entries[15].pk and "edited" in result.first_problem.reason
