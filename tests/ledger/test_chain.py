import datetime as dt
import itertools
import uuid

import pytest

from iomshare.ledger import hashing, services
from iomshare.ledger.context import Origin
from iomshare.ledger.models import LANES, Action, Checkpoint, LedgerEntry
from iomshare.ledger.verify import verify

pytestmark = pytest.mark.django_db

TABLE = LedgerEntry._meta.db_table


def test_each_entry_chains_to_the_previous_one_in_its_lane(fill):
    first, second, third = fill(3)
    assert first.prev_hash == hashing.GENESIS_HASH and first.lane_seq == 1
    assert second.prev_hash == first.entry_hash and second.lane_seq == 2
    assert third.prev_hash == second.entry_hash


def test_a_clean_ledger_verifies_across_many_lanes_and_checkpoints(fill):
    fill(4, lanes=(0, 3, 15))
    services.write_checkpoint()
    fill(2, lanes=(3, 7))
    services.write_checkpoint()
    result = verify()
    assert result.ok, result.problems
    assert result.entries_checked == 16 and result.checkpoints_checked == 2
    assert result.lane_heads[3][0] == 6 and result.lane_heads[7][0] == 2 and result.lane_heads[1][0] == 0


def test_awkward_values_hash_the_same_in_python_and_in_the_database(in_lane):
    """PostgreSQL rebuilds the canonical line in SQL for speed: it must match Python's exactly."""
    in_lane(2)
    services.append(
        services.Event(
            action=Action.VIEW,
            username="o'brien\x1f\ttab",
            purpose="case_management",
            person_id=uuid.uuid4(),
            item_ids=[uuid.uuid4(), uuid.uuid4()],
            holding_agencies=["probation", "police", "police"],
            clauses=["isp-1/clause-4", "décision №7"],
            details={"q": 'Zoë = "quoted" \u2028 line', "n": 1, "nested": {"b": [1, 2], "a": None}},
            origin=Origin(channel="web", request_id="r" * 80, client_address="2001:db8::1"),
        )
    )
    services.append(services.Event(action=Action.SIGN_IN_FAILED, username="", outcome="failed"))
    entry = LedgerEntry.objects.order_by("lane_seq").first()
    assert entry.actor_username == "o'brien  tab"  # control characters never reach the line
    assert entry.holding_agencies == ["police", "probation"]
    assert len(entry.request_id) == 64
    assert verify().ok


def test_entries_after_a_midnight_microsecond_still_verify(in_lane):
    in_lane(0)
    entry = services.append(services.Event(action=Action.SEARCH))
    assert hashing.timestamp(entry.at).endswith("Z")
    naive_utc = entry.at.astimezone(dt.UTC).replace(tzinfo=None)
    assert hashing.timestamp(naive_utc) == hashing.timestamp(entry.at)
    assert verify().ok


def test_append_many_writes_one_chained_run_under_one_lock(in_lane):
    in_lane(5)
    entries = services.append_many([services.Event(action=Action.EXPORT, details={"n": n}) for n in range(4)])
    assert [e.lane for e in entries] == [5] * 4
    assert [e.lane_seq for e in entries] == [1, 2, 3, 4]
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    assert verify().ok


def test_a_checkpoint_is_written_automatically_every_k_entries(settings, in_lane):
    settings.LEDGER_CHECKPOINT_EVERY = LANES * 3  # every 3rd entry of a lane
    in_lane(1)
    for _ in range(7):
        services.append(services.Event(action=Action.SEARCH))
    assert list(Checkpoint.objects.order_by("seq").values_list("entry_count", flat=True)) == [3, 6]
    assert verify().ok


def test_a_checkpoint_signs_every_lane_head(fill, ledger_keys):
    fill(2, lanes=(0, 9))
    checkpoint = services.write_checkpoint()
    assert checkpoint.entry_count == 4
    assert checkpoint.lane_heads[9][0] == 2 and checkpoint.lane_heads[4] == [0, hashing.GENESIS_HASH]
    assert (ledger_keys / "ledger_signing_key.pem").stat().st_mode & 0o777 == 0o600


def test_the_signing_key_is_created_once_and_reused(fill, ledger_keys):
    fill(1)
    first = services.write_checkpoint()
    second = services.write_checkpoint()
    assert first.key_id == second.key_id
    assert second.prev_checkpoint_hash == services.checkpoint_hash(first)
