"""The canonical serialisation of a ledger entry and the hash chain over it.

An entry's hash is SHA-256 over one line of text: a version tag and every recorded field, in a fixed
order, joined by the ASCII unit separator (0x1F). The line is cheap to rebuild from stored values,
which keeps `verify` fast, and it is unambiguous because no field may contain the separator: text
fields are cleaned before writing and JSON fields are stored as canonical ASCII JSON (which escapes
every control character). The previous entry's hash is one of the fields, so each lane is a chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

FORMAT = "iomshare-ledger-v1"
SEPARATOR = "\x1f"
GENESIS_HASH = "0" * 64
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# The order of fields in the canonical line: changing it is a new FORMAT.
CHAIN_FIELDS = (
    "lane",
    "lane_seq",
    "prev_hash",
    "at",
    "actor_id",
    "actor_username",
    "actor_agency",
    "channel",
    "action",
    "purpose",
    "person_id",
    "item_ids",
    "holding_agencies",
    "clauses",
    "outcome",
    "request_id",
    "client_address",
    "details",
)

_CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x20), 0x7F], " ")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and only ASCII: one text for one value, on every platform."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def clean_text(value: object, max_length: int) -> str:
    """A single-line text field: control characters (the separator among them) become spaces."""
    text = "" if value is None else str(value)
    return text.translate(_CONTROL_CHARACTERS)[:max_length]


def timestamp(at: dt.datetime) -> str:
    """UTC, microseconds, trailing Z: the form PostgreSQL's to_char reproduces for `verify`."""
    if at.tzinfo is None:  # SQLite hands back naive UTC datetimes
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


def person_text(person_id: uuid.UUID | str | None) -> str:
    """32 lower-case hex digits (how SQLite stores a UUID), or empty."""
    if person_id is None or person_id == "":
        return ""
    return (person_id if isinstance(person_id, uuid.UUID) else uuid.UUID(str(person_id))).hex


def canonical_line(fields: Iterable[str]) -> str:
    return FORMAT + SEPARATOR + SEPARATOR.join(fields)


JSON_FIELDS = frozenset({"item_ids", "holding_agencies", "clauses", "details"})


def line_for(values: dict[str, Any]) -> str:
    """The canonical line for an entry given as a mapping of its (already cleaned) field values."""
    parts = []
    for name in CHAIN_FIELDS:
        value = values[name]
        if name == "at":
            parts.append(timestamp(value))
        elif name == "person_id":
            parts.append(person_text(value))
        elif name in JSON_FIELDS:
            parts.append(canonical_json(value))
        elif value is None:
            parts.append("")
        else:
            parts.append(str(value))
    return canonical_line(parts)


def line_from_stored(row: tuple[Any, ...]) -> str:
    """The canonical line from a raw database row holding CHAIN_FIELDS in order (JSON as its text)."""
    parts = []
    for name, value in zip(CHAIN_FIELDS, row, strict=True):
        if name == "at":
            parts.append(
                timestamp(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value))
            )
        elif name == "person_id":
            parts.append(person_text(value))
        else:
            parts.append("" if value is None else str(value))
    return canonical_line(parts)


def entry_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


# PostgreSQL builds the same line server-side, so `verify` streams one text column per entry.
POSTGRESQL_LINE_SQL = (
    "concat_ws(E'\\x1f', '"
    + FORMAT
    + "', lane::text, lane_seq::text, prev_hash, "
    + "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    + "coalesce(actor_id::text, ''), actor_username, actor_agency, channel, action, purpose, "
    + "coalesce(replace(person_id::text, '-', ''), ''), item_ids, holding_agencies, clauses, outcome, "
    + "request_id, client_address, details)"
)
