"""Importing an agency extract: check it whole, then write it whole (invariant 8).

A check (dry run) reads every row and reports every problem with its row, column, value and reason,
writing nothing. An import does the same inside one transaction and keeps what it wrote only if no
row had a problem, unless the user chose to import the valid rows and take the rejects as a file.
Keys already imported through the profile are skipped, so a re-import creates no duplicates.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.exchange.mapping import MappedRow, Problem, RowMapper, RowProblems, multiline_columns, shown
from iomshare.exchange.models import ImportedItemKey, ImportProfile, ImportRun
from iomshare.exchange.readers import Extract, FileUnreadable, RowUnreadable, open_extract
from iomshare.kit.csv_safety import safe_row
from iomshare.partnership.models import Role, StaffMember
from iomshare.records.services import COPY_ESCAPES, COPY_NULL, BulkRecorder

logger = logging.getLogger(__name__)

ROLES_THAT_IMPORT = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM}
BATCH_SIZE = 5000
MAX_KEPT_PROBLEMS = 10_000
# Keys a profile imported before are held in memory (~100 bytes each) up to this many.
KNOWN_KEYS_IN_MEMORY = 5_000_000
PROGRESS_EVERY_ROWS = 2000
# (done, total): bytes or rows of the file read so far, and in all.
Progress = Callable[[int, int], None]


class _NothingWritten(Exception):
    """Raised inside the import's transaction to undo it: some row had a problem."""


@dataclass
class Outcome:
    """What a check or an import found and did."""

    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    rows_already_imported: int = 0
    rows_created: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    is_file_unreadable: bool = False
    written: bool = False

    def add(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.problem_count += 1
            if len(self.problems) < MAX_KEPT_PROBLEMS:
                self.problems.append(problem)

    @property
    def rows_new(self) -> int:
        """Valid rows not imported before: what an import would create."""
        return self.rows_valid - self.rows_already_imported


def check_may_import(profile: ImportProfile, by: StaffMember) -> None:
    if by.agency_id != profile.agency_id or by.role not in ROLES_THAT_IMPORT:
        raise NotPermitted(
            f"Only {profile.agency}'s information-governance lead, partnership manager or system account "
            f"can import its extracts."
        )


def _rejects_writer(rejects: TextIO | None, header: list[str]):
    if rejects is None:
        return None
    writer = csv.writer(rejects)
    writer.writerow(safe_row([*header, "row", "problems"]))
    return writer


_collector_lock = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = False


@contextlib.contextmanager
def _cyclic_collector_paused():
    """Pause Python's cyclic garbage collector while an extract is read and written.

    Each row's objects are freed by reference counting as soon as the row is done; the collector
    would only rescan the whole heap again and again, which cost a quarter of an import's Python time
    (docs/benchmarks.md, "Import"). Counted, so imports running side by side in threads compose.
    """
    global _collector_pauses, _collector_was_enabled
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()


def import_file(
    profile: ImportProfile,
    path: Path,
    *,
    by: StaffMember,
    write: bool,
    accept_valid_rows: bool = False,
    rejects: TextIO | None = None,
    progress: Progress | None = None,
    run: ImportRun | None = None,
) -> Outcome:
    """Check (`write=False`) or import an extract through `profile`; see the module docstring."""
    check_may_import(profile, by)
    outcome = Outcome()
    try:
        extract = open_extract(
            Path(path),
            profile.file_type,
            [profile.key_column, profile.person_column, *profile.columns],
            multiline_columns=multiline_columns(profile),
        )
    except FileUnreadable as error:
        _file_unreadable(outcome, error)
        return outcome
    with _cyclic_collector_paused():
        if not write:
            return _Check(profile, extract, rejects=rejects, progress=progress).run()
        return _Import(
            profile,
            extract,
            rejects=rejects,
            progress=progress,
            by=by,
            accept_valid_rows=accept_valid_rows,
            run=run,
        ).run()


class _Check:
    """The dry run: read and map every row, count what an import would create, write nothing."""

    def __init__(
        self,
        profile: ImportProfile,
        extract: Extract,
        *,
        rejects: TextIO | None,
        progress: Progress | None,
    ) -> None:
        self.profile, self.extract, self.outcome = profile, extract, Outcome()
        self.mapper = RowMapper(profile, extract.header)
        self.rejected = _rejects_writer(rejects, extract.header)
        self.progress = progress
        self.seen: dict[str, int] = {}  # key -> the row that first had it
        self.batch: list[MappedRow] = []
        self.known_keys: set[str] | None = set()

    def _header_is_readable(self) -> bool:
        """Whether the header names the profile's columns (else every problem with it is reported)."""
        if self.mapper.header_problems:
            self.outcome.is_file_unreadable = True
            self.outcome.add(self.mapper.header_problems)
            return False
        if self.mapper.category_id is None:
            raise InvalidInput(f"The import profile {self.profile.name} names neither a category nor a form.")
        self.known_keys = _imported_keys(self.profile)
        return True

    def run(self) -> Outcome:
        if not self._header_is_readable():
            return self.outcome
        self._read_every_row()
        if self.outcome.is_file_unreadable:
            self._forget_valid_rows()
        if self.batch:
            self._flush()
        self._report_finished()
        return self.outcome

    def _read_every_row(self) -> None:
        try:
            for row_number, row in self.extract.rows:
                self.outcome.rows_read += 1
                cells, problems = self._take(row_number, row)
                if problems:
                    self._reject(row_number, cells, problems)
                if len(self.batch) >= BATCH_SIZE:
                    self._flush()
                if self.progress is not None and self.outcome.rows_read % PROGRESS_EVERY_ROWS == 0:
                    self.progress(self.extract.position(), self.extract.size)
        except FileUnreadable as error:
            _file_unreadable(self.outcome, error, part_way=True)

    def _take(self, row_number: int, row: list[str] | RowUnreadable) -> tuple[list[str], list[Problem]]:
        """The row's cells and its problems; a row without problems joins the batch."""
        if isinstance(row, RowUnreadable):
            return [], [Problem(row.row, "", "", row.reason)]
        try:
            mapped = self.mapper.map(row_number, row)
        except RowProblems as error:
            return row, error.problems
        if (first := self.seen.get(mapped.key)) is not None:
            reason = f"row {first} has the same key: each row needs a key of its own"
            return row, [Problem(row_number, self.profile.key_column, shown(mapped.key), reason)]
        self.seen[mapped.key] = row_number
        self.batch.append(mapped)
        return row, []

    def _reject(self, row_number: int, cells: list[str], problems: list[Problem]) -> None:
        self.outcome.rows_rejected += 1
        self.outcome.add(problems)
        if self.rejected is not None:
            reasons = "; ".join(f"{p.column or 'row'}: {p.reason}" for p in problems)
            self.rejected.writerow(safe_row([*cells, str(row_number), reasons]))

    def _forget_valid_rows(self) -> None:
        """Part of the file could not be read exactly: nothing in it is imported, not even the rows
        that were valid, as the rows around the fault cannot be trusted."""
        self.batch.clear()
        self.outcome.rows_valid = self.outcome.rows_already_imported = 0

    def _already_imported(self, keys: list[str]) -> set[str]:
        if self.known_keys is None:
            return _already_imported(self.profile, keys)
        return self.known_keys.intersection(keys) if self.known_keys else set()

    def _new_rows_of_batch(self) -> list[MappedRow]:
        """Count the batch as valid and return its rows not imported before."""
        done = self._already_imported([row.key for row in self.batch])
        new = [row for row in self.batch if row.key not in done] if done else list(self.batch)
        self.outcome.rows_valid += len(self.batch)
        self.outcome.rows_already_imported += len(self.batch) - len(new)
        return new

    def _flush(self) -> None:
        self._new_rows_of_batch()
        self.batch.clear()

    def _report_finished(self) -> None:
        if self.progress is not None:
            self.progress(self.extract.size, self.extract.size)


class _Import(_Check):
    """The import: the check's reading, with each batch of new rows written in one transaction, kept
    only if no row had a problem (or the valid rows were accepted)."""

    def __init__(
        self,
        profile: ImportProfile,
        extract: Extract,
        *,
        rejects: TextIO | None,
        progress: Progress | None,
        by: StaffMember,
        accept_valid_rows: bool,
        run: ImportRun | None,
    ) -> None:
        super().__init__(profile, extract, rejects=rejects, progress=progress)
        self.by, self.accept_valid_rows, self.import_run = by, accept_valid_rows, run
        self.recorder: BulkRecorder | None = None
        # On SQLite, keys are remembered after their items are written (on PostgreSQL, with them).
        self.unremembered: list[tuple[list[str], list[uuid.UUID]]] = []

    def run(self) -> Outcome:
        if not self._header_is_readable():
            return self.outcome
        try:
            with transaction.atomic(), BulkRecorder(by=self.by) as recorder:
                self.recorder = recorder
                self._read_every_row()
                if self.outcome.is_file_unreadable:
                    self._forget_valid_rows()
                    raise _NothingWritten
                if self.batch:
                    self._flush()
                self._remember_written_keys()
                self._report_finished()
                if self.outcome.problem_count and not self.accept_valid_rows:
                    raise _NothingWritten
        except _NothingWritten:
            self.outcome.rows_created = 0
            return self.outcome
        self.outcome.written = self.outcome.rows_created > 0
        return self.outcome

    def _already_imported(self, keys: list[str]) -> set[str]:
        if self.known_keys is None and self.recorder is not None:
            self.recorder.wait()  # the probe needs the connection
        return super()._already_imported(keys)

    def _flush(self) -> None:
        self._remember_written_keys()
        new = self._new_rows_of_batch()
        self.batch.clear()
        if not new or (self.outcome.problem_count and not self.accept_valid_rows):
            return
        assert self.recorder is not None
        keys, rows = [row.key for row in new], [row.fields for row in new]
        if self.recorder.is_streaming:
            profile, run = self.profile, self.import_run
            ids = self.recorder.record(rows, then_copy=lambda ids: _keys_copy(profile, keys, ids, run))
        else:
            ids = self.recorder.record(rows)
            self.unremembered.append((keys, ids))
        self.outcome.rows_created += len(ids)

    def _remember_written_keys(self) -> None:
        if not self.unremembered:
            return
        if self.recorder is not None:
            self.recorder.wait()
        while self.unremembered:
            keys, ids = self.unremembered.pop()
            _remember_keys(self.profile, keys, ids, self.import_run)


def _file_unreadable(outcome: Outcome, error: FileUnreadable, *, part_way: bool = False) -> None:
    outcome.is_file_unreadable = True
    outcome.add([Problem(error.row, error.column, "", error.reason)])
    if part_way and error.row > 1:  # the row where reading stopped is rejected with the file
        outcome.rows_rejected += 1


def _imported_keys(profile: ImportProfile) -> set[str] | None:
    """Every key the profile has imported before, read once, or None if there are too many to hold.

    Knowing them up front spares each batch a probe of the database, which would have to wait for
    the batch before it to be written; past KNOWN_KEYS_IN_MEMORY keys each batch probes instead.
    """
    keys: set[str] = set()
    query = ImportedItemKey.objects.filter(profile=profile).values_list("local_key", flat=True)
    for key in query.iterator(chunk_size=20_000):
        keys.add(key)
        if len(keys) > KNOWN_KEYS_IN_MEMORY:
            return None
    return keys


def _already_imported(profile: ImportProfile, keys: list[str]) -> set[str]:
    """Which of `keys` the profile has imported before.

    On PostgreSQL one probe of the unique index per key (LATERAL ... LIMIT 1): an import grows the
    table faster than its statistics, and the planner, thinking it small, would otherwise scan it
    whole for every batch.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ImportedItemKey._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT wanted.key FROM unnest(%s::text[]) AS wanted(key) CROSS JOIN LATERAL "  # noqa: S608
                f"(SELECT 1 FROM {table} AS imported WHERE imported.profile_id = %s "
                "AND imported.local_key = wanted.key LIMIT 1) AS found",
                [keys, profile.pk],
            )
            return {key for (key,) in cursor.fetchall()}
    return set(
        ImportedItemKey.objects.filter(profile=profile, local_key__in=keys).values_list(
            "local_key", flat=True
        )
    )


def _keys_copy(
    profile: ImportProfile, keys: list[str], item_ids: list[uuid.UUID], run: ImportRun | None
) -> tuple[str, str]:
    """The COPY recording which item each key became, written with the items (PostgreSQL)."""
    table = connection.ops.quote_name(ImportedItemKey._meta.db_table)
    fixed = f"{profile.agency_id}\t{profile.pk}\t"
    tail = f"\t{run.pk if run else COPY_NULL}\t{timezone.now().isoformat()}\n"
    text = "".join(
        f"{fixed}{key.translate(COPY_ESCAPES)}\t{item_id.hex}{tail}"
        for key, item_id in zip(keys, item_ids, strict=True)
    )
    columns = "agency_id, profile_id, local_key, item_id, run_id, imported_at"
    return f"COPY {table} ({columns}) FROM STDIN", text


def _remember_keys(
    profile: ImportProfile, keys: list[str], item_ids: list[uuid.UUID], run: ImportRun | None
) -> None:
    """Record which item each key became, so a re-import skips it."""
    now = timezone.now()
    ImportedItemKey.objects.bulk_create(
        [
            ImportedItemKey(
                agency_id=profile.agency_id,
                profile=profile,
                local_key=key,
                item_id=item_id,
                run=run,
                imported_at=now,
            )
            for key, item_id in zip(keys, item_ids, strict=True)
        ]
    )
