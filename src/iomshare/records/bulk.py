"""Recording items in bulk (an import): checked whole first, sealed, written with COPY on PostgreSQL.

The same rules as `services.record_item` (records.item_rules); each batch is one ledger entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, transaction
from django.utils import timezone

from iomshare.alerts import outbox
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import StaffMember
from iomshare.records import copy_rows, crypto, key_store
from iomshare.records.copy_rows import BULK_FIELDS, COPY_ESCAPES, COPY_NULL
from iomshare.records.item_rules import (
    MAX_REVIEW_INTERVAL,
    ROLES_THAT_RECORD,
    SENSITIVITY_VALUES,
    item_errors,
)
from iomshare.records.models import (
    InformationItem,
    Sensitivity,
    form_facts,
)

BULK_BATCH_SIZE = 5000
# A random (version 4, RFC 4122 variant) UUID is 122 random bits with these 6 bits set.
_UUID4_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _check_rows(rows: Iterable[Mapping[str, Any]]) -> list[tuple]:
    """Check every row by `record_item`'s rules (no database access, so it overlaps a batch being written)."""
    today = timezone.localdate()
    default_review = today + dt.timedelta(days=365)
    latest_review = today + MAX_REVIEW_INTERVAL
    checked: list[tuple] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        get = row.get
        summary = (get("summary") or "").strip()
        details = get("details") or ""
        sensitivity = get("sensitivity", Sensitivity.OFFICIAL)
        valid_from = get("valid_from") or today
        valid_to = get("valid_to")
        review_by = get("review_by") or default_review
        # _item_errors' rules written out as one test, for speed: a valid row (nearly every row) passes
        # it and costs no call; any other row gets _item_errors' verdict and messages. A test holds the
        # two to the same answers.
        if not (
            summary
            and len(summary) <= 300
            and len(details) <= 20_000
            and sensitivity in SENSITIVITY_VALUES
            and valid_from <= today
            and (valid_to is None or valid_to >= valid_from)
            and today < review_by <= latest_review
        ):
            for name, message in item_errors(
                summary=summary,
                details=details,
                sensitivity=sensitivity,
                valid_from=valid_from,
                valid_to=valid_to,
                review_by=review_by,
                today=today,
            ).items():
                errors[f"rows[{index}].{name}"] = message
        checked.append(
            (
                row["person_id"],
                row["category_id"],
                int(sensitivity),
                summary,
                details,
                get("payload") or {},
                valid_from,
                valid_to,
                review_by,
            )
        )
    if errors:
        raise InvalidInput(
            f"No items were recorded: {len(errors)} problem{'s' if len(errors) != 1 else ''} found.",
            field_errors=errors,
        )
    return checked


def _new_item_ids(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) ids from one read of the system's random source, not one read each."""
    block = os.urandom(16 * count)
    from_bytes, make = int.from_bytes, uuid.UUID
    return [
        make(int=from_bytes(block[at : at + 16], "big") & _UUID4_KEEP | _UUID4_SET)
        for at in range(0, 16 * count, 16)
    ]


DataKeys = dict[uuid.UUID, tuple[int, AESGCM]]


def _sealed(checked: list[tuple], by: StaffMember, keys: DataKeys) -> Iterator[tuple]:
    """Checked rows as tuples in BULK_FIELDS order, each with a new id and its content sealed.

    Ids and nonces come from one read of the random source per batch, not one read a row.
    """
    count = len(checked)
    nonces = os.urandom(crypto.NONCE_BYTES * count)
    now = timezone.now()
    seal, encode, item_aad, as_uuid = crypto.seal, crypto.encode_content, crypto.item_aad, crypto.as_uuid
    at = 0
    for item_id, (
        person_id,
        category_id,
        sensitivity,
        summary,
        details,
        payload,
        valid_from,
        valid_to,
        review_by,
    ) in zip(_new_item_ids(count), checked, strict=True):
        serial, cipher = keys[as_uuid(person_id)]
        form_code, form_version = form_facts(payload)
        sealed = seal(
            cipher,
            serial,
            item_aad(item_id),
            encode(summary, details, payload),
            nonce=nonces[at : at + crypto.NONCE_BYTES],
        )
        at += crypto.NONCE_BYTES
        yield (
            item_id,
            person_id,
            by.agency_id,
            by.pk,
            category_id,
            sensitivity,
            sealed,
            form_code,
            form_version,
            now,
            valid_from,
            valid_to,
            review_by,
        )


def _seal_rows(checked: list[tuple], by: StaffMember, keys: DataKeys) -> list[tuple]:
    """The rows `_sealed`, as a list (for bulk_create)."""
    return list(_sealed(checked, by, keys))


def _sealed_copy_lines(checked: list[tuple], by: StaffMember, keys: DataKeys) -> tuple[list[uuid.UUID], str]:
    """New ids for checked rows, and the rows sealed and in COPY's text format, in one pass.

    Touches no database, so it runs while the previous batch is still being copied. Per row it
    costs microseconds, so what repeats across rows (the person's id text, days, the form, the
    author and agency) is worked out once.
    """
    tail = copy_rows.other_fields_tail()
    texts: dict[Any, str] = {None: COPY_NULL}  # people, days and numbers repeat across an import's rows

    def text(value: Any) -> str:
        known = texts.get(value)
        if known is None:
            known = texts[value] = copy_rows.copy_text(value)
        return known

    ids: list[uuid.UUID] = []
    lines: list[str] = []
    for (
        item_id,
        person_id,
        agency_id,
        author_id,
        category_id,
        sensitivity,
        sealed,
        form_code,
        form_version,
        recorded_at,
        valid_from,
        valid_to,
        review_by,
    ) in _sealed(checked, by, keys):
        ids.append(item_id)
        lines.append(
            f"{item_id.hex}\t{text(person_id)}\t{agency_id}\t{author_id}\t{category_id}\t{sensitivity}\t"
            # bytea in hex, its backslash escaped for COPY's text format
            f"\\\\x{sealed.hex()}\t{form_code.translate(COPY_ESCAPES)}\t{text(form_version)}\t"
            f"{text(recorded_at)}\t{text(valid_from)}\t{text(valid_to)}\t{text(review_by)}"
            f"{tail if isinstance(tail, str) else tail()}\n"
        )
    return ids, "".join(lines)


class BulkRecorder:
    """Records items batch after batch (an import), in the caller's transaction, held by `by`'s agency.

    On PostgreSQL each batch goes to the server with COPY from a helper thread, one batch behind:
    while the database stores batch N, the caller checks batch N+1 and this seals and formats it,
    so Python and the database work at the same time. `wait` (called before any other use of the
    connection, and by `close`) sends what is left, lets it finish and puts it on the ledger.
    Use it inside one `transaction.atomic()`: the data keys it finds are kept for the transaction.
    """

    def __init__(self, *, by: StaffMember) -> None:
        if by.agency_id is None or by.role not in ROLES_THAT_RECORD:
            raise NotPermitted("Only staff of a partner agency can record information about a person.")
        self.by = by
        self.agency_id: int = by.agency_id
        self.is_streaming = connection.vendor == "postgresql"
        if self.is_streaming and connection.in_atomic_block:
            # Check foreign keys as each batch's COPY ends, in the helper thread, overlapping the next
            # batch's preparation, rather than all at once at commit (for the rest of this transaction).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-copy") if self.is_streaming else None
        )
        # The batch being copied, and the next one, sealed and formatted, waiting for the connection.
        self._pending: Future | None = None
        self._pending_ids: list[uuid.UUID] = []
        self._ready: tuple[list[tuple[str, str]], list[uuid.UUID]] | None = None
        # The data key (serial, cipher) of each person met so far, and the transaction that found them.
        self._keys: DataKeys = {}
        self._keys_found_in: tuple | None = None
        self._signals: outbox.Signals | None = None
        self._events: list = []

    def record(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        then_copy: Callable[[list[uuid.UUID]], tuple[str, str]] | None = None,
    ) -> list[uuid.UUID]:
        """Check one batch and have it written; the ids, in row order. All or none of the batch.

        `then_copy` (PostgreSQL only) gives, from the new ids, one more COPY (statement, text) to run
        with the batch: an import's record of which key became which item.
        """
        rows = rows if isinstance(rows, list) else list(rows)
        checked = _check_rows(rows)  # pure Python: runs while the batch before last is being copied
        if not checked:
            return []
        people = {crypto.as_uuid(values[0]) for values in checked}
        if self._executor is None:
            prepared = _seal_rows(checked, self.by, self._data_keys(people))
            ids = [values[0] for values in prepared]
            InformationItem.objects.bulk_create(
                [InformationItem(**dict(zip(BULK_FIELDS, values, strict=True))) for values in prepared]
            )
            self._pending_ids = ids
            self._record_on_ledger()
            outbox.write(self._events_for(rows, ids))
            return ids
        self._finish_pending()  # the connection is free again: for the keys, then the next COPY
        keys = self._data_keys(people)
        self._send_ready()
        # Sealed and formatted while the batch just sent is being copied; sent with the next batch.
        ids, text = _sealed_copy_lines(checked, self.by, keys)
        copies = [(copy_rows.items_copy_statement(), text)]
        if then_copy is not None:
            copies.append(then_copy(ids))
        self._ready = (copies, ids)
        self._events += self._events_for(rows, ids)  # written when the connection is free (wait)
        return ids

    def _events_for(self, rows: list, ids: list[uuid.UUID]) -> list:
        """The cohort events these items signal (alerts.outbox), for the same transaction."""
        if self._signals is None:
            self._signals = outbox.signals()
        if not self._signals:
            return []
        return outbox.events_for_items(
            rows, ids, agency_id=self.agency_id, by_id=self.by.pk, known=self._signals
        )

    def _data_keys(self, people: set[uuid.UUID]) -> DataKeys:
        """The data keys of `people`: those found earlier in this transaction, the rest from the database.

        Keeping keys is safe because `key_store.current_keys` locks each key row until the transaction
        ends (FOR SHARE on PostgreSQL; on SQLite the transaction holds the database's write lock from
        its first batch): no disposal can replace a key while it is kept here. Call with the
        connection free (no COPY running).
        """
        transaction_now = _transaction_now()
        if transaction_now is None:  # outside a transaction the locks end with each statement
            return key_store.current_keys(self.agency_id, people)
        if transaction_now != self._keys_found_in:  # another transaction, or savepoint, than the keys'
            self._keys, self._keys_found_in = {}, transaction_now
        missing = people.difference(self._keys)
        if missing:
            self._keys.update(key_store.current_keys(self.agency_id, missing))
        return self._keys

    def _send_ready(self) -> None:
        """Start copying the batch that is sealed and formatted (the connection must be free)."""
        if self._ready is not None and self._executor is not None:
            (copies, ids), self._ready = self._ready, None
            self._pending = self._executor.submit(copy_rows.send_copies, connection.connection, copies)
            self._pending_ids = ids

    def _finish_pending(self) -> None:
        """Let the batch being copied finish (raising its error, if any) and record it on the ledger."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            with connection.wrap_database_errors:  # the driver's error as Django's, as for any query
                pending.result()
            self._record_on_ledger()

    def wait(self) -> None:
        """Write every batch recorded so far (raising an error, if any) and record them on the ledger."""
        self._finish_pending()
        self._send_ready()
        self._finish_pending()
        events, self._events = self._events, []
        outbox.write(events)

    def _record_on_ledger(self) -> None:
        if self._pending_ids:
            assert self.by.agency is not None  # refused at construction otherwise
            ledger.append(
                ledger.Event(
                    action=Action.ITEM_RECORDED,
                    by=self.by,
                    item_ids=self._pending_ids,
                    holding_agencies=[self.by.agency.code],
                    details={"bulk": True, "count": len(self._pending_ids)},
                )
            )
            self._pending_ids = []

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._keys, self._ready = {}, None
            if self._executor is not None:
                self._executor.shutdown(wait=True)

    def __enter__(self) -> BulkRecorder:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        else:  # the transaction is being undone anyway: only make sure the thread is done
            self._keys, self._ready = {}, None
            with contextlib.suppress(Exception):
                if self._pending is not None:
                    self._pending.result()
            if self._executor is not None:
                self._executor.shutdown(wait=True)


def _transaction_now() -> tuple | None:
    """What tells the caller's transaction and savepoint apart (None outside a transaction).

    The atomic blocks themselves (compared by identity) and the savepoint ids: a key found inside a
    savepoint that was rolled back is gone, and so is its lock.
    """
    if not connection.in_atomic_block:
        return None
    return (list(connection.atomic_blocks), list(connection.savepoint_ids))


def record_items_in_bulk(rows: Iterable[Mapping[str, Any]], *, by: StaffMember) -> list[uuid.UUID]:
    """Record many items held by `by`'s agency at once; all or none, ids in row order.

    Each row has person_id, category_id, summary and optionally details, sensitivity, valid_from,
    valid_to, review_by and payload, checked by the same rules as `record_item`. PostgreSQL writes
    them with COPY; each batch of them is one ledger entry.
    """
    rows = list(rows)
    ids: list[uuid.UUID] = []
    with transaction.atomic(), BulkRecorder(by=by) as recorder:
        for start in range(0, max(len(rows), 1), BULK_BATCH_SIZE):
            ids += recorder.record(rows[start : start + BULK_BATCH_SIZE])
    return ids
