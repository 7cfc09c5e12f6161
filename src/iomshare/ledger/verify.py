"""`iomshare ledger verify`: recompute every lane's chain and check every signed checkpoint.

Entries are streamed in the order they were stored through a server-side cursor; on PostgreSQL the
database builds each canonical line, so Python only hashes and compares. Any edit, deletion,
reordering or forged checkpoint shows as a named problem; a lane cut short behind a checkpoint is
caught by that checkpoint. Entries after the latest checkpoint are protected by their chain only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from iomshare.ledger import hashing, signing
from iomshare.ledger.models import LANES, Checkpoint, LedgerEntry
from iomshare.ledger.services import checkpoint_hash, checkpoint_message

BATCH = 20_000
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    reason: str
    entry_id: int | None = None
    lane: int | None = None
    lane_seq: int | None = None
    checkpoint_seq: int | None = None

    def __str__(self) -> str:
        if self.checkpoint_seq is not None:
            where = f"checkpoint {self.checkpoint_seq}"
        else:
            where = f"entry id {self.entry_id} (lane {self.lane}, seq {self.lane_seq})"
        return f"{where}: {self.reason}"


@dataclass
class VerifyResult:
    entries_checked: int = 0
    checkpoints_checked: int = 0
    lane_heads: list[tuple[int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The earliest stored bad entry (then the first bad checkpoint)."""
        entries = [p for p in self.problems if p.checkpoint_seq is None]
        if entries:
            return min(entries, key=lambda p: p.entry_id or 0)
        return self.problems[0] if self.problems else None


def _missing_or_out_of_order(expected: int, seq: int, lane: int) -> str:
    if seq > expected:
        return f"entries {expected} to {seq - 1} of lane {lane} are missing (deleted or moved)"
    return f"sequence number {seq} is out of order (expected {expected})"


class _Segment:
    """Chain checks over one run of entries in id order (within a lane, an entry is always stored
    after the one before it). Where each lane enters the run is checked afterwards, by `_stitch`."""

    def __init__(self, needed: set[tuple[int, int]], problems: list[Problem]) -> None:
        self.needed, self.problems = needed, problems
        self.found: dict[tuple[int, int], str] = {}
        self.expected: list[int | None] = [None] * LANES  # next seq, once the lane has been seen
        self.heads: list[str | None] = [None] * LANES
        self.ids: list[int | None] = [None] * LANES
        self.first: dict[int, tuple[int, str, int]] = {}  # lane -> (seq, prev_hash, id) of its first entry
        self.count = 0

    def feed(self, rows) -> None:
        """Check a batch of (id, entry_hash, lane, lane_seq, prev_hash, canonical line) rows."""
        sha256 = hashlib.sha256
        expected, heads, ids, first, needed, found = (
            self.expected,
            self.heads,
            self.ids,
            self.first,
            self.needed,
            self.found,
        )
        problems = self.problems
        for entry_id, stored_hash, lane, seq, prev_hash, line in rows:
            if not 0 <= lane < LANES:
                problems.append(
                    Problem(f"lane {lane} does not exist (lanes are 0-{LANES - 1})", entry_id, lane, seq)
                )
                continue
            next_seq = expected[lane]
            if next_seq is None:
                first[lane] = (seq, prev_hash, entry_id)
                if sha256(line.encode()).hexdigest() != stored_hash:
                    problems.append(
                        Problem("its content does not match its hash: it was edited", entry_id, lane, seq)
                    )
            elif seq != next_seq:
                problems.append(Problem(_missing_or_out_of_order(next_seq, seq, lane), entry_id, lane, seq))
            elif prev_hash != heads[lane]:
                problems.append(
                    Problem(
                        f"does not chain to the entry before it (id {ids[lane]}): one of the two was altered",
                        entry_id,
                        lane,
                        seq,
                    )
                )
            elif sha256(line.encode()).hexdigest() != stored_hash:
                problems.append(
                    Problem("its content does not match its hash: it was edited", entry_id, lane, seq)
                )
            heads[lane], expected[lane], ids[lane] = stored_hash, seq + 1, entry_id
            if (lane, seq) in needed:
                found[(lane, seq)] = stored_hash
        self.count += len(rows)


def _stitch(result: VerifyResult, segments: list[_Segment]) -> dict[tuple[int, int], str]:
    """Check each lane carries on from one segment to the next (from seq 0 and the genesis hash)."""
    seqs, heads = [0] * LANES, [hashing.GENESIS_HASH] * LANES
    ids: list[int | None] = [None] * LANES
    found: dict[tuple[int, int], str] = {}
    for segment in segments:
        for lane, (seq, prev_hash, entry_id) in sorted(segment.first.items()):
            if seq != seqs[lane] + 1:
                result.problems.append(
                    Problem(_missing_or_out_of_order(seqs[lane] + 1, seq, lane), entry_id, lane, seq)
                )
            elif prev_hash != heads[lane]:
                result.problems.append(
                    Problem(
                        f"does not chain to the entry before it (id {ids[lane]}): one of the two was altered",
                        entry_id,
                        lane,
                        seq,
                    )
                )
        for lane in range(LANES):
            next_seq, head = segment.expected[lane], segment.heads[lane]
            if next_seq is not None and head is not None:  # both set once the lane has been seen
                seqs[lane], heads[lane], ids[lane] = next_seq - 1, head, segment.ids[lane]
        found.update(segment.found)
        result.entries_checked += segment.count
    result.lane_heads = list(zip(seqs, heads, strict=True))
    return found


def _sqlite_batches():
    table = LedgerEntry._meta.db_table
    columns = ", ".join(hashing.CHAIN_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, entry_hash, {columns} FROM {table} ORDER BY id")  # noqa: S608
        while rows := cursor.fetchmany(BATCH):
            yield [
                (row[0], row[1], row[2], row[3], row[4], hashing.line_from_stored(row[2:])) for row in rows
            ]


def _fetch_in_background(raw, query: str, params: list) -> tuple[queue.Queue, threading.Thread]:
    """Batches of `query` from a server-side cursor on `raw`, fetched by a thread into a queue.

    The database builds the next batch's canonical lines while Python hashes this one, so the two
    costs overlap instead of adding up. The thread is the only user of `raw` while it runs.
    """
    batches: queue.Queue = queue.Queue(maxsize=4)

    def fetch() -> None:
        try:
            with raw.cursor(name="ledger_verify") as cursor:
                cursor.execute(query, params)
                while rows := cursor.fetchmany(BATCH):
                    batches.put(rows)
        except BaseException as error:  # handed to the checking thread
            batches.put(error)
        batches.put(None)

    fetcher = threading.Thread(target=fetch, name="ledger-verify-fetch", daemon=True)
    fetcher.start()
    return batches, fetcher


def _postgresql_connections(workers: int):
    """`workers` connections reading one snapshot: the caller's own, or new ones sharing its snapshot.

    With one worker the check runs in the caller's transaction (so it sees what the caller sees). With
    more, each extra connection imports the first one's exported snapshot, as pg_dump -j does.
    """
    connection.ensure_connection()
    if workers <= 1:
        return [connection.connection], []
    params = connection.get_connection_params()
    opened = [connection.get_new_connection(params) for _ in range(workers)]
    first = opened[0]
    first.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    snapshot = first.execute("SELECT pg_export_snapshot()").fetchone()[0]
    for other in opened[1:]:
        other.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        other.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
    return opened, opened


def _check_entries(  # noqa: C901 (each way a chain can be broken is a finding of its own)
    result: VerifyResult, needed: set[tuple[int, int]], workers: int
) -> dict[tuple[int, int], str]:
    """Walk every lane's chain, split into `workers` id ranges read in parallel on PostgreSQL."""
    if connection.vendor != "postgresql":
        segment = _Segment(needed, result.problems)
        for rows in _sqlite_batches():
            segment.feed(rows)
            if len(result.problems) >= MAX_PROBLEMS:
                break
        return _stitch(result, [segment])
    table = LedgerEntry._meta.db_table
    query = (
        f"SELECT id, entry_hash, lane, lane_seq, prev_hash, {hashing.POSTGRESQL_LINE_SQL} "  # noqa: S608
        f"FROM {table} WHERE id > %s AND id <= %s ORDER BY id"
    )
    raws, opened = _postgresql_connections(workers)
    try:
        with raws[0].cursor() as cursor:
            cursor.execute(f"SELECT coalesce(min(id), 1) - 1, coalesce(max(id), 0) FROM {table}")  # noqa: S608
            low, high = cursor.fetchone()
        step = max(1, -(-(high - low) // len(raws)))
        bounds = [(low + n * step, min(high, low + (n + 1) * step)) for n in range(len(raws))]
        segments = [_Segment(needed, result.problems) for _ in raws]
        feeds = [
            _fetch_in_background(raw, query, list(bound)) for raw, bound in zip(raws, bounds, strict=True)
        ]
        active = list(range(len(feeds)))
        try:
            while active and len(result.problems) < MAX_PROBLEMS:
                for n in list(active):
                    batch = feeds[n][0].get()
                    if batch is None:
                        active.remove(n)
                    elif isinstance(batch, BaseException):
                        raise batch
                    else:
                        segments[n].feed(batch)
        finally:
            for batches, fetcher in feeds:
                while fetcher.is_alive():  # drain, so no fetcher blocks on a full queue
                    with contextlib.suppress(queue.Empty):
                        batches.get(timeout=0.1)
                fetcher.join()
    finally:
        for raw in opened:
            raw.close()
    return _stitch(result, segments)


def _check_checkpoints(  # noqa: C901 (each way a checkpoint can disagree is a finding of its own)
    result: VerifyResult, checkpoints: list[Checkpoint], found: dict[tuple[int, int], str]
) -> None:
    trusted = signing.trusted_public_keys()
    previous: Checkpoint | None = None
    for checkpoint in checkpoints:
        seq = checkpoint.seq

        def problem(reason: str, seq: int = seq) -> None:
            result.problems.append(Problem(reason, checkpoint_seq=seq))

        expected_seq = previous.seq + 1 if previous else 1
        if seq != expected_seq:
            problem(f"checkpoints {expected_seq} to {seq - 1} are missing")
        expected_prev = checkpoint_hash(previous) if previous else hashing.GENESIS_HASH
        if checkpoint.prev_checkpoint_hash != expected_prev:
            problem("does not chain to the checkpoint before it")
        heads = checkpoint.lane_heads
        public_key = trusted.get(checkpoint.key_id)
        if public_key is None:
            problem("is signed by a key that is not trusted (not the current or a retired ledger key)")
        elif not isinstance(heads, list) or not signing.signature_is_valid(
            public_key,
            checkpoint.signature,
            checkpoint_message(
                seq=seq,
                at=hashing.timestamp(checkpoint.at),
                entry_count=checkpoint.entry_count,
                lane_heads=heads,
                prev_checkpoint_hash=checkpoint.prev_checkpoint_hash,
                key_id=checkpoint.key_id,
            ),
        ):
            problem("its signature does not match its content: it was forged or altered")
        if not _well_formed(heads):
            problem(f"does not record {LANES} lane heads")
            previous = checkpoint
            continue
        if checkpoint.entry_count != sum(lane_seq for lane_seq, _ in heads):
            problem("its entry count does not match its lane heads")
        for lane, (lane_seq, head_hash) in enumerate(heads):
            if (
                previous is not None
                and _well_formed(previous.lane_heads)
                and lane_seq < previous.lane_heads[lane][0]
            ):
                problem(f"lane {lane} goes back from seq {previous.lane_heads[lane][0]} to {lane_seq}")
            if lane_seq == 0:
                continue
            stored = found.get((lane, lane_seq))
            if stored is None:
                problem(
                    f"records lane {lane} up to seq {lane_seq}, but lane {lane} now ends at seq "
                    f"{result.lane_heads[lane][0]}: entries were removed"
                    if result.lane_heads[lane][0] < lane_seq
                    else f"records lane {lane} seq {lane_seq}, which is missing"
                )
            elif stored != head_hash:
                problem(f"records a different hash for lane {lane} seq {lane_seq}: the lane was rewritten")
        previous = checkpoint
    result.checkpoints_checked = len(checkpoints)


def _well_formed(heads: Any) -> bool:
    return (
        isinstance(heads, list)
        and len(heads) == LANES
        and all(isinstance(h, list) and len(h) == 2 and isinstance(h[0], int) for h in heads)
    )


def _check_witness(result: VerifyResult, checkpoints: list[Checkpoint], witness_file: Path) -> None:
    """Every checkpoint copied to the witness file (outside the database) must still be there, unchanged."""
    stored = {checkpoint.seq: checkpoint.signature for checkpoint in checkpoints}
    for number, line in enumerate(witness_file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            witnessed = json.loads(line)
            seq, signature = int(witnessed["seq"]), str(witnessed["signature"])
        except (ValueError, KeyError, TypeError):
            result.problems.append(
                Problem(f"line {number} of the witness file {witness_file} is not a checkpoint")
            )
            continue
        if stored.get(seq) != signature:
            result.problems.append(
                Problem("is in the witness file but missing or different in the database", checkpoint_seq=seq)
            )


def verify(*, witness_file: Path | None = None, workers: int = 1) -> VerifyResult:
    """Check every entry and checkpoint; the result lists each problem found (up to 100).

    `workers` > 1 reads the entries over that many PostgreSQL connections at once, on one shared
    snapshot of committed data (so not what the caller's own open transaction has written).
    """
    started = time.perf_counter()
    result = VerifyResult()
    with transaction.atomic():  # one snapshot on PostgreSQL; server-side cursors need a transaction
        checkpoints = list(Checkpoint.objects.order_by("seq"))
        needed = {
            (lane, head[0])
            for checkpoint in checkpoints
            if _well_formed(checkpoint.lane_heads)
            for lane, head in enumerate(checkpoint.lane_heads)
        }
        found = _check_entries(result, needed, workers)
    _check_checkpoints(result, checkpoints, found)
    if witness_file is not None:
        _check_witness(result, checkpoints, witness_file)
    result.seconds = time.perf_counter() - started
    return result
