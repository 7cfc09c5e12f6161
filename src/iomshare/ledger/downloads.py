"""Ledger reports as CSV, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would run as a formula in Excel or
LibreOffice; such cells get a leading single quote so they are shown as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from iomshare.exchange import csv_safety
from iomshare.ledger.hashing import canonical_json, timestamp
from iomshare.ledger.models import LedgerEntry

COLUMNS = [
    "at",
    "entry_id",
    "lane",
    "lane_seq",
    "actor_username",
    "actor_name",
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
]


def safe_cell(value: object) -> str:
    """Text for one CSV cell: the partnership's one formula-injection rule (exchange.csv_safety)."""
    return csv_safety.safe_cell("" if value is None else str(value))


class _Echo:
    """A file-like object whose write returns the line, for streaming through csv.writer."""

    def write(self, value: str) -> str:
        return value


def entry_row(entry: LedgerEntry, names: dict[int, str]) -> list[str]:
    return [
        timestamp(entry.at),
        str(entry.pk),
        str(entry.lane),
        str(entry.lane_seq),
        entry.actor_username,
        names.get(entry.actor_id, "") if entry.actor_id else "",
        entry.actor_agency,
        entry.channel,
        entry.action,
        entry.purpose,
        str(entry.person_id or ""),
        " ".join(entry.item_ids),
        " ".join(entry.holding_agencies),
        " ".join(entry.clauses),
        entry.outcome,
        entry.request_id,
        entry.client_address,
        canonical_json(entry.details),
    ]


def csv_lines(entries: Iterable[LedgerEntry], names_for) -> Iterator[str]:
    """CSV text a line at a time: the header, then one row per entry (names looked up per batch)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    batch: list[LedgerEntry] = []

    def flush() -> Iterator[str]:
        names = names_for(batch)
        for entry in batch:
            yield writer.writerow([safe_cell(cell) for cell in entry_row(entry, names)])

    for entry in entries:
        batch.append(entry)
        if len(batch) >= 500:
            yield from flush()
            batch = []
    if batch:
        yield from flush()
