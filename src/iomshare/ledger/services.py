"""Appending to the ledger, and writing signed checkpoints.

Many writers append at once: the ledger is split into lanes, each its own hash chain, and a writer
takes one lane's lock (a PostgreSQL advisory lock held to the end of its transaction), reads that
lane's head, and inserts. Nothing is ever updated. If the entry cannot be written the caller's action
fails with it (invariant 9: what is not recorded is not shown).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from iomshare.errors import DomainError
from iomshare.ledger import hashing, signing
from iomshare.ledger.context import Origin, current_origin
from iomshare.ledger.models import LANES, Action, AgencyDisclosure, Checkpoint, LedgerEntry, Outcome
from iomshare.operations import metrics

# Advisory lock keys: (LOCK_CLASS, lane) guards one lane, (LOCK_CLASS, CHECKPOINT_LOCK) the checkpoints.
LOCK_CLASS = 0x1ED9E4
CHECKPOINT_LOCK = 1000
CHECKPOINT_FORMAT = "iomshare-ledger-checkpoint-v1"
DEFAULT_CHECKPOINT_EVERY = 10_000


class LedgerUnavailable(DomainError):
    status = 503
    title = "The disclosure ledger is unavailable"


@dataclass(frozen=True)
class Event:
    """One thing to record. `by` is the staff member who acted (None for failed sign-ins, system)."""

    action: str
    by: Any = None
    username: str = ""
    purpose: str = ""
    person_id: uuid.UUID | str | None = None
    item_ids: Sequence[Any] = ()
    holding_agencies: Sequence[str] = ()
    clauses: Sequence[str] = ()
    outcome: str = Outcome.SUCCEEDED
    details: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None


_thread = threading.local()


def _preferred_lane() -> int:
    """A lane of this thread's own, so concurrent writers rarely wait for each other."""
    lane = getattr(_thread, "lane", None)
    if lane is None:
        lane = _thread.lane = zlib.crc32(f"{os.getpid()}:{threading.get_ident()}".encode()) % LANES
    return lane


def _acquire_lane(cursor, already_in_transaction: bool) -> int:
    preferred = _preferred_lane()
    if connection.vendor != "postgresql":
        return preferred  # SQLite has one writer at a time: the transaction is the lock
    if already_in_transaction:
        # Holding two lanes in one transaction could deadlock with another writer: reuse ours.
        cursor.execute(
            "SELECT objid::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND classid = %s AND objsubid = 2 AND objid < %s AND granted LIMIT 1",
            [LOCK_CLASS, LANES],
        )
        if row := cursor.fetchone():
            return row[0]
    for offset in range(LANES):
        lane = (preferred + offset) % LANES
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s::int, %s::int)", [LOCK_CLASS, lane])
        if cursor.fetchone()[0]:
            return lane
    cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [LOCK_CLASS, preferred])
    return preferred


def _lane_head(cursor, lane: int) -> tuple[int, str]:
    cursor.execute(
        f"SELECT lane_seq, entry_hash FROM {LedgerEntry._meta.db_table} "  # noqa: S608 (our own table name)
        "WHERE lane = %s ORDER BY lane_seq DESC LIMIT 1",
        [lane],
    )
    row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, hashing.GENESIS_HASH)


def _actor_fields(event: Event) -> tuple[int | None, str, str]:
    by = event.by
    if by is None or getattr(by, "pk", None) is None:
        return None, event.username, ""
    agency = by.agency.code if getattr(by, "agency_id", None) else ""
    return by.pk, event.username or by.get_username(), agency


def _values(event: Event, lane: int, lane_seq: int, prev_hash: str, at) -> dict[str, Any]:
    origin = event.origin or current_origin()
    actor_id, username, agency = _actor_fields(event)
    values: dict[str, Any] = {
        "lane": lane,
        "lane_seq": lane_seq,
        "prev_hash": prev_hash,
        "at": at,
        "actor_id": actor_id,
        "actor_username": hashing.clean_text(username, 150),
        "actor_agency": hashing.clean_text(agency, 40),
        "channel": hashing.clean_text(origin.channel, 10),
        "action": hashing.clean_text(event.action, 30),
        "purpose": hashing.clean_text(event.purpose, 60),
        "person_id": uuid.UUID(str(event.person_id)) if event.person_id else None,
        "item_ids": [str(item_id) for item_id in event.item_ids],
        "holding_agencies": sorted({str(code) for code in event.holding_agencies}),
        "clauses": [str(clause) for clause in event.clauses],
        "outcome": hashing.clean_text(event.outcome, 20),
        "request_id": hashing.clean_text(origin.request_id, 64),
        "client_address": hashing.clean_text(origin.client_address, 45),
        "details": json.loads(hashing.canonical_json(event.details)),  # as it will read back
    }
    values["entry_hash"] = hashing.entry_hash(hashing.line_for(values))
    return values


def append(event: Event) -> LedgerEntry:
    """Append one entry; raises LedgerUnavailable if it cannot be written."""
    return append_many([event])[0]


def append_many(events: Iterable[Event]) -> list[LedgerEntry]:
    """Append several entries under one lane lock, in order, in the caller's transaction if any."""
    events = list(events)
    if not events:
        return []
    already_in_transaction = connection.in_atomic_block
    try:
        with transaction.atomic():
            with _cursor() as cursor:
                lane = _acquire_lane(cursor, already_in_transaction)
                entries = _insert(cursor, lane, events, timezone.now())
            interval = max(1, checkpoint_interval() // LANES)
            if any(entry.lane_seq % interval == 0 for entry in entries):
                write_checkpoint(wait=False)
    except (DatabaseError, psycopg.Error) as error:
        raise LedgerUnavailable(
            "The access could not be recorded in the disclosure ledger, so it has not been carried out."
        ) from error
    # Counted when committed: an append rolled back (a failed action, the readiness probe) never happened.
    actions = [event.action for event in events]
    transaction.on_commit(lambda: metrics.count_ledger_appends(actions))
    return entries


def _cursor():
    """On PostgreSQL a psycopg cursor with server-side binding, so the hot statements are prepared once
    per connection; Django's own cursor elsewhere. Both run in Django's current transaction."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        return psycopg.Cursor(connection.connection)
    return connection.cursor()


def _chain(events: list[Event], lane: int, seq: int, head: str, at) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        seq += 1
        values = _values(event, lane, seq, head, at)
        head = values["entry_hash"]
        rows.append(values)
    return rows


def _insert(cursor, lane: int, events: list[Event], at) -> list[LedgerEntry]:
    if connection.vendor == "postgresql":
        return _insert_postgresql(cursor, lane, events, at)
    seq, head = _lane_head(cursor, lane)
    entries = [LedgerEntry(**values) for values in _chain(events, lane, seq, head, at)]
    LedgerEntry.objects.bulk_create(entries)
    AgencyDisclosure.objects.bulk_create(
        [
            AgencyDisclosure(entry_id=entry.pk, holding_agency=code, at=entry.at)
            for entry in entries
            for code in entry.holding_agencies
            if code != entry.actor_agency
        ]
    )
    return entries


_INSERT_COLUMNS = ("at", "entry_hash", *(name for name in hashing.CHAIN_FIELDS if name != "at"))
_ARRAY_TYPES = {
    "at": "timestamptz",
    "lane": "smallint",
    "lane_seq": "bigint",
    "actor_id": "bigint",
    "person_id": "uuid",
}


def _insert_sql(rows: str) -> str:
    """One statement: insert entries and their disclosure index rows, if the lane head is as assumed.

    The guard (the assumed head exists with its hash, and nothing follows it) lets a writer reuse the
    head it wrote last instead of reading it first; if another writer moved the lane on, nothing is
    inserted and the writer reads the head and tries again. The statement text never changes, so
    psycopg prepares it once per connection.
    """
    table, disclosures = LedgerEntry._meta.db_table, AgencyDisclosure._meta.db_table
    columns = ", ".join(_INSERT_COLUMNS)
    return (
        f"WITH new AS (INSERT INTO {table} ({columns}) "  # noqa: S608 (our own table names)
        f"SELECT * FROM ({rows}) AS v ({columns}) "
        f"WHERE (%s = 0 OR EXISTS (SELECT 1 FROM {table} WHERE lane = %s AND lane_seq = %s AND entry_hash = %s)) "
        f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE lane = %s AND lane_seq > %s) "
        "RETURNING id, lane_seq, at, actor_agency, holding_agencies), "
        f"indexed AS (INSERT INTO {disclosures} (entry_id, holding_agency, at) "
        "SELECT new.id, code, new.at FROM new "
        "CROSS JOIN LATERAL jsonb_array_elements_text(new.holding_agencies::jsonb) AS code "
        "WHERE code <> new.actor_agency) "
        "SELECT id FROM new ORDER BY lane_seq"
    )


# One entry as scalar parameters (cheap to send); several as one array per column.
_INSERT_ONE_SQL = _insert_sql(
    "SELECT " + ", ".join(f"%s::{_ARRAY_TYPES.get(name, 'text')}" for name in _INSERT_COLUMNS)
)
_INSERT_MANY_SQL = _insert_sql(
    "SELECT * FROM unnest("  # noqa: S608 (column casts, no input)
    + ", ".join(f"%s::{_ARRAY_TYPES.get(name, 'text')}[]" for name in _INSERT_COLUMNS)
    + ")"
)


def _stored(values: dict[str, Any], name: str) -> Any:
    return hashing.canonical_json(values[name]) if name in hashing.JSON_FIELDS else values[name]


def _insert_postgresql(cursor, lane: int, events: list[Event], at) -> list[LedgerEntry]:
    heads = getattr(connection, "_ledger_heads", None)
    if heads is None:
        heads = connection._ledger_heads = {}  # type: ignore[attr-defined]  # this connection's cache
    assumed = heads.get(lane)
    for _attempt in range(2):
        seq, head = assumed or _lane_head(cursor, lane)
        rows = _chain(events, lane, seq, head, at)
        if len(rows) == 1:
            statement, params = _INSERT_ONE_SQL, [_stored(rows[0], name) for name in _INSERT_COLUMNS]
        else:
            statement = _INSERT_MANY_SQL
            params = [[_stored(values, name) for values in rows] for name in _INSERT_COLUMNS]
        cursor.execute(statement, [*params, seq, lane, seq, head, lane, seq])
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            heads[lane] = (rows[-1]["lane_seq"], rows[-1]["entry_hash"])
            return [LedgerEntry(id=entry_id, **values) for entry_id, values in zip(ids, rows, strict=True)]
        assumed = None  # another writer moved the lane on: read its head and try again
    raise DatabaseError(f"Could not append to ledger lane {lane}: its head kept moving.")


def checkpoint_interval() -> int:
    return int(getattr(settings, "LEDGER_CHECKPOINT_EVERY", DEFAULT_CHECKPOINT_EVERY))


def lane_heads() -> list[tuple[int, str]]:
    """(lane_seq, entry_hash) of every lane's last entry, (0, genesis) for an empty lane."""
    table = LedgerEntry._meta.db_table
    parts = [
        f"SELECT * FROM (SELECT lane, lane_seq, entry_hash FROM {table} "  # noqa: S608 (our own table name)
        f"WHERE lane = {lane} ORDER BY lane_seq DESC LIMIT 1) AS lane_{lane}"
        for lane in range(LANES)
    ]
    heads = [(0, hashing.GENESIS_HASH)] * LANES
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        for lane, seq, entry_hash in cursor.fetchall():
            heads[lane] = (seq, entry_hash)
    return heads


def checkpoint_message(
    *, seq: int, at: str, entry_count: int, lane_heads: Any, prev_checkpoint_hash: str, key_id: str
) -> bytes:
    """The bytes a checkpoint's signature covers (and whose hash the next checkpoint chains to)."""
    return hashing.canonical_json(
        {
            "format": CHECKPOINT_FORMAT,
            "seq": seq,
            "at": at,
            "entry_count": entry_count,
            "lane_heads": [list(head) for head in lane_heads],
            "prev_checkpoint_hash": prev_checkpoint_hash,
            "key_id": key_id,
        }
    ).encode()


def checkpoint_hash(checkpoint: Checkpoint) -> str:
    return hashing.entry_hash(
        checkpoint_message(
            seq=checkpoint.seq,
            at=hashing.timestamp(checkpoint.at),
            entry_count=checkpoint.entry_count,
            lane_heads=checkpoint.lane_heads,
            prev_checkpoint_hash=checkpoint.prev_checkpoint_hash,
            key_id=checkpoint.key_id,
        ).decode()
    )


def write_checkpoint(*, wait: bool = True) -> Checkpoint | None:
    """Sign the current head of every lane. With wait=False, skip if another checkpoint is being written."""
    key = signing.signing_key()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if wait:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, CHECKPOINT_LOCK])
                else:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, CHECKPOINT_LOCK])
                    if not cursor.fetchone()[0]:
                        return None
        previous = Checkpoint.objects.order_by("-seq").first()
        heads = lane_heads()
        at = timezone.now()
        seq = previous.seq + 1 if previous else 1
        prev_hash = checkpoint_hash(previous) if previous else hashing.GENESIS_HASH
        entry_count = sum(lane_seq for lane_seq, _ in heads)
        message = checkpoint_message(
            seq=seq,
            at=hashing.timestamp(at),
            entry_count=entry_count,
            lane_heads=heads,
            prev_checkpoint_hash=prev_hash,
            key_id=key.key_id,
        )
        return Checkpoint.objects.create(
            seq=seq,
            at=at,
            entry_count=entry_count,
            lane_heads=[list(head) for head in heads],
            prev_checkpoint_hash=prev_hash,
            key_id=key.key_id,
            public_key=key.public_hex,
            signature=key.sign(message),
        )


# -- Business actions: each names what happened in the partnership's words. ------------------------


def _item_facts(items: Iterable[Any]) -> tuple[list[str], list[str]]:
    """Item ids and the codes of their holding agencies (items may be model instances or ids)."""
    from iomshare.partnership.models import Agency

    ids: list[str] = []
    agency_ids: set[int] = set()
    codes: set[str] = set()
    for item in items:
        if hasattr(item, "holding_agency_id"):
            ids.append(str(item.pk))
            cached = item._state.fields_cache.get("holding_agency")
            if cached is not None:
                codes.add(cached.code)
            else:
                agency_ids.add(item.holding_agency_id)
        else:
            ids.append(str(item))
    if agency_ids:
        codes.update(Agency.objects.filter(id__in=agency_ids).values_list("code", flat=True))
    return ids, sorted(codes)


def record(  # noqa: PLR0913 (the entry's columns, each a keyword named at every call)
    action: str,
    *,
    by: Any = None,
    username: str = "",
    purpose: str = "",
    person: Any = None,
    items: Iterable[Any] = (),
    clauses: Sequence[str] = (),
    outcome: str = Outcome.SUCCEEDED,
    details: dict[str, Any] | None = None,
    origin: Origin | None = None,
) -> LedgerEntry:
    """Record one action; `person` may be a Person or its id, `items` model instances or ids."""
    item_ids, holders = _item_facts(items)
    person_id = getattr(person, "pk", person)
    return append(
        Event(
            action=action,
            by=by,
            username=username,
            purpose=purpose,
            person_id=person_id,
            item_ids=item_ids,
            holding_agencies=holders,
            clauses=clauses,
            outcome=outcome,
            details=details or {},
            origin=origin,
        )
    )


def record_disclosure(
    *, viewer: Any, person: Any, items: Sequence[Any], purpose: str = "", clauses: Sequence[str] = (), **extra
) -> LedgerEntry:
    """One page view or API read: one entry naming every item shown and the clauses relied on."""
    return record(
        Action.VIEW,
        by=viewer,
        person=person,
        items=items,
        purpose=purpose,
        clauses=clauses,
        outcome=Outcome.ALLOWED,
        details=extra or None,
    )


def record_report(
    *,
    by: Any,
    kind: str,
    subject_key: object,
    person_id: Any,
    dates: Any,
    output: str,
    after: str | None = None,
) -> LedgerEntry:
    """Running a ledger report is itself on the ledger: who looked into whom, over which dates."""
    return record(
        Action.REPORT,
        by=by,
        person=person_id,
        details={
            "report": kind,
            "subject": str(subject_key),
            "from": dates.start.isoformat() if dates.start else "",
            "to": dates.end.isoformat() if dates.end else "",
            "format": output,
            "after": after or "",
        },
    )
