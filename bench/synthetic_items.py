"""Information items generated in SQL, for benchmarks that need a large items table fast.

One `INSERT ... SELECT` over `generate_series` per chunk of rows, with the table's secondary indexes
dropped first and rebuilt once at the end (about a minute for 1,000,000 rows on the bench machine,
where the ordinary bulk write path takes many). Row g of the series draws its person, holding agency
(with an author of it) and category from three temporary tables the caller fills first:

    bench_people (n, id)                  n = 0 .. people - 1
    bench_agencies (n, id, author_id)     n = 0 .. agencies - 1
    bench_categories (n, id)              n = 0 .. categories - 1

Content is either an empty placeholder (metadata-only benchmarks: nothing in SQL could read sealed
content anyway) or, with `sealed=True`, real content sealed in Python under each (person, agency)
bucket's data key exactly as `records.bulk` seals it, so the door can open every generated item.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping

CHUNK = 1_000_000
SEALED_CHUNK = 200_000  # rows sealed in Python and copied in before each INSERT (bounds memory)

# Filler by column type, for NOT NULL columns nobody sets otherwise.
FILLER = {
    "uuid": "gen_random_uuid()",
    "text": "''",
    "character varying": "''",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "bytea": "''::bytea",
    "jsonb": "'{}'::jsonb",
    "date": "DATE '2026-01-01'",
    "timestamp with time zone": "TIMESTAMPTZ '2026-01-01 00:00+00'",
    "boolean": "false",
}

PERSON_OF_ROW = "(g::bigint * 7919) %% {people}"  # spreads one person's items through the series
AGENCY_OF_ROW = "g %% {agencies}"
# Every person's items spread evenly over every agency: row g = k * people + r is person r's (k+1)th.
AGENCY_OF_ROW_SPREAD = "(g / {people}) %% {agencies}"
CATEGORY_OF_ROW = "(g / 7) %% {categories}"


def item_columns(cursor, overrides: Mapping[str, str]) -> dict[str, str]:
    """Every NOT NULL column of the items table with the SQL that fills it for row g (p, a, c joined)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'records_informationitem' AND is_nullable = 'NO'"
    )
    columns = {name: FILLER[kind] for name, kind in cursor.fetchall()}
    columns.update(
        {
            "id": "gen_random_uuid()",
            "person_id": "p.id",
            "holding_agency_id": "a.id",
            "author_id": "a.author_id",
            "category_id": "c.id",
            "status": "'live'",
            "handling_code": "'shareable'",
            "nature": "'fact'",
        }
    )
    columns.update(overrides)
    return columns


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    (count,) = cursor.fetchone()
    return count


def insert_items(
    count: int,
    *,
    columns: Mapping[str, str],
    start: int = 0,
    every_agency_per_person: bool = False,
    sealed: bool = False,
    content: Callable[[int], tuple[str, str]] = lambda g: (f"Synthetic bench item {g}", "Synthetic text."),
    progress: Callable[[str], None] = print,
) -> None:
    """Insert rows g = start .. start + count - 1 of the series into records_informationitem.

    `columns` gives the SQL of the columns the caller sets (g, p, a and c are in scope) over
    `item_columns`' defaults. Row g's holding agency is agency g mod agencies, or with
    `every_agency_per_person` agency (g div people) mod agencies, so each person's items come from
    every agency (else a person whose number shares a factor with the agencies' meets only some).
    With `sealed`, `content(g)` is row g's (summary, details), sealed with no payload.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        people, agencies, categories = (
            _count(cursor, f"bench_{name}") for name in ("people", "agencies", "categories")
        )
        sizes = {"people": people, "agencies": agencies, "categories": categories}
        agency_of_row = AGENCY_OF_ROW_SPREAD if every_agency_per_person else AGENCY_OF_ROW
        joins = (
            f"JOIN bench_people p ON p.n = {PERSON_OF_ROW.format(**sizes)} "
            f"JOIN bench_agencies a ON a.n = {agency_of_row.format(**sizes)} "
            f"JOIN bench_categories c ON c.n = {CATEGORY_OF_ROW.format(**sizes)}"
        )
        chosen = item_columns(cursor, columns)
        if sealed:
            chosen |= {"id": "s.id", "sealed_content": "s.sealed"}
            joins += " JOIN bench_sealed s ON s.n = g"
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bench_sealed (n bigint PRIMARY KEY, id uuid, sealed bytea)"
            )
        started = time.perf_counter()
        # Secondary indexes are built once at the end: much faster than maintaining them per row.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records_informationitem' "
            "AND indexname NOT LIKE '%%pkey'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        names = ", ".join(f'"{name}"' for name in chosen)
        values = ", ".join(chosen.values())
        sealer = _Sealer(cursor, content, every_agency_per_person) if sealed else None
        end_of_series = start + count
        for first in range(start, end_of_series, SEALED_CHUNK if sealed else CHUNK):
            last = min(end_of_series, first + (SEALED_CHUNK if sealed else CHUNK))
            if sealer is not None:
                sealer.copy_sealed(first, last)
            cursor.execute(
                f"INSERT INTO records_informationitem ({names}) SELECT {values} "
                f"FROM generate_series(%s, %s) g {joins}",
                [first, last - 1],
            )
            progress(f"{last - start:,} items ({time.perf_counter() - started:.0f} s)")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
        progress(f"generated {count:,} items in {time.perf_counter() - started:.0f} s")


class _Sealer:
    """Seals rows' content in Python and copies (n = g, id, sealed) into bench_sealed for the INSERT to join."""

    def __init__(self, cursor, content: Callable[[int], tuple[str, str]], spread: bool) -> None:
        from django.db import transaction

        from iomshare.records import key_store

        self.cursor, self.content, self.spread = cursor, content, spread
        cursor.execute("SELECT id FROM bench_people ORDER BY n")
        self.people = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM bench_agencies ORDER BY n")
        self.agencies = [row[0] for row in cursor.fetchall()]
        self.keys = {}
        with transaction.atomic():  # the key store locks key rows: only inside a transaction
            for agency in set(self.agencies):
                for person, key in key_store.current_keys(agency, self.people).items():
                    self.keys[person, agency] = key

    def copy_sealed(self, first: int, last: int) -> None:
        from iomshare.records import crypto

        people, agencies, keys = self.people, self.agencies, self.keys
        seal, encode, item_aad = crypto.seal, crypto.encode_content, crypto.item_aad
        nonces = os.urandom(crypto.NONCE_BYTES * (last - first))
        self.cursor.execute("TRUNCATE bench_sealed")
        with self.cursor.cursor.copy("COPY bench_sealed (n, id, sealed) FROM STDIN") as copy:
            for at, g in enumerate(range(first, last)):
                # The same draw as the INSERT's joins (PERSON_OF_ROW, and the agency of row g).
                person = people[(g * 7919) % len(people)]
                agency = agencies[self.agency_index(g)]
                serial, cipher = keys[person, agency]
                item_id = uuid.uuid4()
                summary, details = self.content(g)
                nonce = nonces[at * crypto.NONCE_BYTES : (at + 1) * crypto.NONCE_BYTES]
                sealed = seal(cipher, serial, item_aad(item_id), encode(summary, details, {}), nonce=nonce)
                copy.write_row((g, item_id, sealed))
        self.cursor.execute("ANALYZE bench_sealed")

    def agency_index(self, g: int) -> int:
        """AGENCY_OF_ROW (or its spread form) in Python."""
        return (g // len(self.people) if self.spread else g) % len(self.agencies)
