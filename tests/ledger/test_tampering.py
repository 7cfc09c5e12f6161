# ruff: noqa: S608 (tampering is SQL on our own table names, by design)
"""Every kind of tampering with stored entries or checkpoints is caught by verify, and named."""

import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from iomshare.ledger import hashing, services, signing
from iomshare.ledger.models import Checkpoint, LedgerEntry
from iomshare.ledger.verify import verify
from tests.ledger.conftest import tamper

pytestmark = pytest.mark.django_db

ENTRIES = LedgerEntry._meta.db_table
CHECKPOINTS = Checkpoint._meta.db_table


@pytest.fixture
def ledger(fill):
    """Two lanes of six entries, a checkpoint, then two more entries per lane after it."""
    entries = fill(6, lanes=(2, 11))
    services.write_checkpoint()
    entries += fill(2, lanes=(2, 11))
    assert verify().ok
    return entries


def entry(lane: int, seq: int) -> LedgerEntry:
    return LedgerEntry.objects.get(lane=lane, lane_seq=seq)


def test_editing_a_field_is_caught_and_the_entry_named(ledger):
    target = entry(2, 3)
    tamper(f"UPDATE {ENTRIES} SET purpose = 'nothing to see' WHERE id = %s", [target.pk])
    result = verify()
    assert not result.ok
    assert result.first_problem.entry_id == target.pk
    assert "edited" in result.first_problem.reason


def test_editing_the_time_of_an_entry_is_caught(ledger):
    target = entry(11, 1)
    tamper(f"UPDATE {ENTRIES} SET actor_username = 'someone else' WHERE id = %s", [target.pk])
    assert verify().first_problem.entry_id == target.pk


def test_editing_a_field_and_its_hash_is_caught_at_the_next_entry(ledger):
    target = entry(2, 4)
    values = {name: getattr(target, name) for name in hashing.CHAIN_FIELDS}
    values["person_id"] = uuid.uuid4()
    forged_hash = hashing.entry_hash(hashing.line_for(values))
    tamper(
        f"UPDATE {ENTRIES} SET person_id = %s, entry_hash = %s WHERE id = %s",
        [values["person_id"].hex if _sqlite() else values["person_id"], forged_hash, target.pk],
    )
    result = verify()
    assert result.first_problem.entry_id == entry(2, 5).pk
    assert "does not chain" in result.first_problem.reason


def test_rewriting_a_whole_lane_tail_is_caught_by_the_checkpoint(ledger):
    """An attacker who re-hashes every later entry leaves a chain that no longer matches the signed head."""
    lane_entries = list(LedgerEntry.objects.filter(lane=2).order_by("lane_seq"))
    head = lane_entries[1].entry_hash
    for target in lane_entries[2:]:
        values = {name: getattr(target, name) for name in hashing.CHAIN_FIELDS}
        values["prev_hash"] = head
        if target.lane_seq == 3:
            values["purpose"] = "rewritten"
        head = hashing.entry_hash(hashing.line_for(values))
        tamper(
            f"UPDATE {ENTRIES} SET purpose = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
            [values["purpose"], values["prev_hash"], head, target.pk],
        )
    result = verify()
    assert [str(p) for p in result.problems] == [
        "checkpoint 1: records a different hash for lane 2 seq 6: the lane was rewritten"
    ]


def test_deleting_an_entry_is_caught(ledger):
    tamper(f"DELETE FROM {ENTRIES} WHERE id = %s", [entry(11, 3).pk])
    result = verify()
    assert result.first_problem.entry_id == entry(11, 4).pk
    assert "entries 3 to 3 of lane 11 are missing" in result.first_problem.reason


def test_reordering_two_entries_is_caught(ledger):
    first, second = entry(2, 2), entry(2, 3)
    tamper(f"UPDATE {ENTRIES} SET lane_seq = -1 WHERE id = %s", [first.pk])
    tamper(f"UPDATE {ENTRIES} SET lane_seq = 2 WHERE id = %s", [second.pk])
    tamper(f"UPDATE {ENTRIES} SET lane_seq = 3 WHERE id = %s", [first.pk])
    result = verify()
    assert {first.pk, second.pk} <= {p.entry_id for p in result.problems}
    assert result.first_problem.entry_id == first.pk


def test_moving_an_entry_to_another_lane_is_caught(ledger):
    moved = entry(2, 8)
    tamper(
        f"UPDATE {ENTRIES} SET lane = 11, lane_seq = 9, prev_hash = %s WHERE id = %s",
        [entry(11, 8).entry_hash, moved.pk],
    )
    result = verify()
    assert result.first_problem.entry_id == moved.pk


def test_truncating_the_tail_behind_a_checkpoint_is_caught(ledger):
    tamper(f"DELETE FROM {ENTRIES} WHERE lane = 11 AND lane_seq >= 5")
    result = verify()
    assert [str(p) for p in result.problems] == [
        "checkpoint 1: records lane 11 up to seq 6, but lane 11 now ends at seq 4: entries were removed"
    ]


def test_truncating_after_the_last_checkpoint_is_caught_by_the_witness_file(ledger, tmp_path):
    """The latest entries are protected by a checkpoint copied outside the database."""
    witness = tmp_path / "witness.jsonl"
    call_command("ledger", "checkpoint", "--witness-file", str(witness))
    assert verify(witness_file=witness).ok
    tamper(f"DELETE FROM {CHECKPOINTS} WHERE seq = 2")
    tamper(f"DELETE FROM {ENTRIES} WHERE lane = 2 AND lane_seq > 6")
    assert verify().ok  # without the witness, a deleted last checkpoint and tail look like an older ledger
    result = verify(witness_file=witness)
    assert [str(p) for p in result.problems] == [
        "checkpoint 2: is in the witness file but missing or different in the database"
    ]


def test_a_checkpoint_with_altered_counts_is_caught(ledger):
    tamper(f"UPDATE {CHECKPOINTS} SET entry_count = 11 WHERE seq = 1")
    problems = [str(p) for p in verify().problems]
    assert "checkpoint 1: its signature does not match its content: it was forged or altered" in problems


def test_a_checkpoint_signed_by_an_untrusted_key_is_caught(ledger, settings, tmp_path):
    """The public key stored with a checkpoint proves nothing: only keys kept outside the database count."""
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "attacker.pem")
    forged = services.write_checkpoint()
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    result = verify()
    assert [str(p) for p in result.problems] == [
        f"checkpoint {forged.seq}: is signed by a key that is not trusted (not the current or a retired ledger key)"
    ]


def test_deleting_a_checkpoint_in_the_middle_is_caught(ledger):
    services.write_checkpoint()
    services.write_checkpoint()
    tamper(f"DELETE FROM {CHECKPOINTS} WHERE seq = 2")
    problems = [str(p) for p in verify().problems]
    assert "checkpoint 3: checkpoints 2 to 2 are missing" in problems
    assert "checkpoint 3: does not chain to the checkpoint before it" in problems


def test_checkpoints_signed_before_a_key_rotation_still_verify(ledger, ledger_keys):
    old_key = signing.signing_key().key_id
    call_command("ledger", "rotate-key")
    assert signing.signing_key().key_id != old_key
    assert Checkpoint.objects.order_by("seq").values_list("key_id", flat=True).first() == old_key
    assert verify().ok


def test_the_verify_command_names_the_first_bad_entry_and_fails(ledger, capsys):
    target = entry(11, 2)
    tamper(f"UPDATE {ENTRIES} SET outcome = 'allowed' WHERE id = %s", [target.pk])
    with pytest.raises(CommandError):
        call_command("ledger", "verify", "--workers", "1")  # one worker sees the test's own transaction
    out = capsys.readouterr().out
    assert f"First bad: entry id {target.pk} (lane 11, seq 2)" in out


def test_the_verify_command_reports_an_intact_ledger(ledger, capsys):
    call_command("ledger", "verify", "--workers", "1")
    assert "The ledger is intact." in capsys.readouterr().out


def _sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"
