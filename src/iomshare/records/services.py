"""Business actions on information items: recording, correcting and withdrawing.

The holding agency stays the controller (invariant 4): only its staff correct or withdraw its items,
the values replaced are kept, and everyone the ledger shows received the item is notified.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import JSONField
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts import outbox
from iomshare.alerts import services as alerts
from iomshare.alerts.models import EventKind
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import selectors as ledger_selectors
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import Person
from iomshare.records import sealing
from iomshare.records.models import (
    Category,
    CorrectionKind,
    DataKey,
    InformationItem,
    ItemCorrection,
    ItemStatus,
    Sensitivity,
    form_facts,
)

MAX_REVIEW_INTERVAL = dt.timedelta(days=3 * 366)
ROLES_THAT_RECORD = {Role.PRACTITIONER, Role.VOLUNTEER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM}
SENSITIVITY_VALUES = frozenset(Sensitivity.values)


@transaction.atomic
def record_item(
    *,
    by: StaffMember,
    person: Person,
    category: Category,
    summary: str,
    sensitivity: int = Sensitivity.OFFICIAL,
    details: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    review_by: dt.date | None = None,
    payload: dict[str, Any] | None = None,
) -> InformationItem:
    """Record an item held by `by`'s own agency: nobody records on another agency's behalf."""
    if by.agency_id is None or by.role not in ROLES_THAT_RECORD:
        raise NotPermitted("Only staff of a partner agency can record information about a person.")
    today = timezone.localdate()
    valid_from = valid_from or today
    review_by = review_by or today + dt.timedelta(days=365)
    summary = (summary or "").strip()
    errors = _item_errors(
        summary=summary,
        details=details,
        sensitivity=sensitivity,
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
    )
    if errors:
        raise InvalidInput("The item was not recorded: correct the problems listed.", field_errors=errors)
    item = InformationItem.objects.create(
        person=person,
        holding_agency_id=by.agency_id,
        author=by,
        category=category,
        sensitivity=sensitivity,
        summary=summary,
        details=details,
        payload=payload or {},
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
    )
    ledger.record(
        Action.ITEM_RECORDED, by=by, person=person, items=[item], details={"category": category.code}
    )
    row = {"person_id": person.pk, "category_id": category.pk, "payload": payload}
    outbox.write(
        outbox.events_for_items([row], [item.pk], agency_id=by.agency_id, by_id=by.pk, known=outbox.signals())
    )
    return item


BULK_BATCH_SIZE = 5000
# Fields `record_items_in_bulk` fills itself; any other field of the model takes its default.
_BULK_FIELDS = (
    "id",
    "person_id",
    "holding_agency_id",
    "author_id",
    "category_id",
    "sensitivity",
    "sealed_content",
    "form_code",
    "form_version",
    "recorded_at",
    "valid_from",
    "valid_to",
    "review_by",
)
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
            for name, message in _item_errors(
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


DataKeys = dict[uuid.UUID, tuple[int, sealing.AESGCM]]


def _sealed(checked: list[tuple], by: StaffMember, keys: DataKeys) -> Iterator[tuple]:
    """Checked rows as tuples in _BULK_FIELDS order, each with a new id and its content sealed.

    Ids and nonces come from one read of the random source per batch, not one read a row.
    """
    count = len(checked)
    nonces = os.urandom(sealing.NONCE_BYTES * count)
    now = timezone.now()
    seal, encode, item_aad, as_uuid = sealing.seal, sealing.encode_content, sealing.item_aad, sealing._uuid
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
            nonce=nonces[at : at + sealing.NONCE_BYTES],
        )
        at += sealing.NONCE_BYTES
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
    tail = _other_fields_tail()
    texts: dict[Any, str] = {None: COPY_NULL}  # people, days and numbers repeat across an import's rows

    def text(value: Any) -> str:
        known = texts.get(value)
        if known is None:
            known = texts[value] = _copy_text(value)
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
        people = {sealing._uuid(values[0]) for values in checked}
        if self._executor is None:
            prepared = _seal_rows(checked, self.by, self._data_keys(people))
            ids = [values[0] for values in prepared]
            InformationItem.objects.bulk_create(
                [InformationItem(**dict(zip(_BULK_FIELDS, values, strict=True))) for values in prepared]
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
        copies = [(_items_copy_statement(), text)]
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
            rows, ids, agency_id=self.by.agency_id, by_id=self.by.pk, known=self._signals
        )

    def _data_keys(self, people: set[uuid.UUID]) -> DataKeys:
        """The data keys of `people`: those found earlier in this transaction, the rest from the database.

        Keeping keys is safe because `sealing.current_keys` locks each key row until the transaction
        ends (FOR SHARE on PostgreSQL; on SQLite the transaction holds the database's write lock from
        its first batch): no disposal can replace a key while it is kept here. Call with the
        connection free (no COPY running).
        """
        transaction_now = _transaction_now()
        if transaction_now is None:  # outside a transaction the locks end with each statement
            return sealing.current_keys(self.by.agency_id, people)
        if transaction_now != self._keys_found_in:  # another transaction, or savepoint, than the keys'
            self._keys, self._keys_found_in = {}, transaction_now
        missing = people.difference(self._keys)
        if missing:
            self._keys.update(sealing.current_keys(self.by.agency_id, missing))
        return self._keys

    def _send_ready(self) -> None:
        """Start copying the batch that is sealed and formatted (the connection must be free)."""
        if self._ready is not None and self._executor is not None:
            (copies, ids), self._ready = self._ready, None
            self._pending = self._executor.submit(_send_copies, connection.connection, copies)
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


# COPY's text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return COPY_NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):  # dates and datetimes (aware, so with their offset)
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def _default_text(field: Any) -> str:
    """A field's default as COPY text."""
    if isinstance(field, JSONField):
        return _copy_text(json.dumps(field.get_default(), cls=DjangoJSONEncoder))
    return _copy_text(field.get_db_prep_save(field.get_default(), connection))


def _other_fields_tail() -> str | Callable[[], str]:
    """The defaults of the item fields rows do not fill, as the end of a COPY line.

    A text when every default is fixed; a function giving a fresh one per row if a default is not.
    """
    others = _copy_fields()[len(_BULK_FIELDS) :]
    if any(field.has_default() and callable(field.default) for field in others):
        return lambda: "".join("\t" + _default_text(field) for field in others)
    return "".join("\t" + _default_text(field) for field in others)


def _items_copy_statement() -> str:
    table = connection.ops.quote_name(InformationItem._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in _copy_fields())
    return f"COPY {table} ({names}) FROM STDIN"


def _copy_fields() -> list:
    """The item fields in COPY order: those rows fill (_BULK_FIELDS), then the rest, which take defaults."""
    by_name = {field.attname: field for field in InformationItem._meta.concrete_fields}
    return [by_name[name] for name in _BULK_FIELDS] + [
        f for name, f in by_name.items() if name not in _BULK_FIELDS
    ]


def _send_copies(raw_connection, copies: list[tuple[str, str]]) -> None:
    """Run COPYs on the psycopg connection itself (from the bulk recorder's helper thread)."""
    with raw_connection.cursor() as cursor:
        for statement, text in copies:
            with cursor.copy(statement) as copy:
                copy.write(text)


def item_field_problems(
    *,
    summary: str,
    details: str = "",
    sensitivity: int = Sensitivity.OFFICIAL,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    review_by: dt.date,
    today: dt.date | None = None,
) -> dict[str, str]:
    """What `record_item` would refuse about these fields, by field: an import checks each row first."""
    return _item_errors(
        summary=summary,
        details=details,
        sensitivity=sensitivity,
        valid_from=valid_from,
        valid_to=valid_to,
        review_by=review_by,
        today=today,
    )


def _item_errors(
    *,
    summary: str,
    details: str,
    sensitivity: int,
    valid_from: dt.date,
    valid_to: dt.date | None,
    review_by: dt.date,
    review_may_be_past: bool = False,
    today: dt.date | None = None,
) -> dict[str, str]:
    """What is wrong with an item's fields, by field (empty when nothing is)."""
    today = today or timezone.localdate()  # passed in by bulk recording: it costs microseconds a row
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = "Enter a summary of the information"
    elif len(summary) > 300:
        errors["summary"] = "Summary must be 300 characters or fewer"
    if len(details) > 20_000:
        errors["details"] = "Details must be 20,000 characters or fewer"
    if sensitivity not in SENSITIVITY_VALUES:
        errors["sensitivity"] = "Select OFFICIAL or OFFICIAL-SENSITIVE"
    if valid_from > today:
        errors["valid_from"] = "The date the information applies from must be today or in the past"
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = (
            "The date the information stops applying must be on or after the date it applies from"
        )
    if review_by <= today and not review_may_be_past:
        errors["review_by"] = "The review date must be in the future"
    elif review_by - today > MAX_REVIEW_INTERVAL:
        errors["review_by"] = (
            "The review date must be within 3 years, so the information is checked for accuracy"
        )
    return errors


CORRECTABLE_FIELDS = (
    "category",
    "sensitivity",
    "summary",
    "details",
    "valid_from",
    "valid_to",
    "review_by",
    "payload",
)
ROLES_THAT_CORRECT = ROLES_THAT_RECORD - {Role.VOLUNTEER}


def _check_holder(item: InformationItem, by: StaffMember, verb: str) -> None:
    if by.agency_id is None or by.agency_id != item.holding_agency_id or by.role not in ROLES_THAT_CORRECT:
        raise NotPermitted(f"Only staff of the agency that holds this information can {verb} it.")
    if item.status == ItemStatus.WITHDRAWN:
        raise InvalidInput(f"This information has been withdrawn, so it cannot be {verb}ed.")
    if item.status == ItemStatus.DISPOSED:
        raise InvalidInput(f"This information has been disposed of, so it cannot be {verb}ed.")


def _reason(reason: str, verb: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            f"The information was not {verb}: give a reason.",
            field_errors={"reason": f"Enter why the information is being {verb}"},
        )
    if len(reason) > 2000:
        raise InvalidInput(
            f"The information was not {verb}: the reason is too long.",
            field_errors={"reason": "The reason must be 2,000 characters or fewer"},
        )
    return reason


def _as_record(value: Any) -> Any:
    """A field value as kept in the correction history (JSON)."""
    if isinstance(value, Category):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _tell_recipients(
    item: InformationItem, *, by: StaffMember, kind: str, correction: ItemCorrection
) -> None:
    recipient_ids = ledger_selectors.recipients_of(item.pk, item.person_id) - {by.pk}
    recipients = StaffMember.objects.filter(pk__in=recipient_ids, is_active=True)
    person = item.person
    what = f"{item.category.name.lower()} information about {person.full_name}"
    if kind == CorrectionKind.WITHDRAWN:
        message = f"{item.holding_agency.name} has withdrawn {what} that you saw. Do not rely on it."
    else:
        message = (
            f"{item.holding_agency.name} has corrected {what} that you saw. Check the corrected version."
        )
    outbox.event(
        EventKind.WITHDRAWAL if kind == CorrectionKind.WITHDRAWN else EventKind.CORRECTION,
        person_id=person.pk,
        item_id=item.pk,
        agency_id=item.holding_agency_id,
        by_id=by.pk,
    )
    alerts.notify(
        recipients,
        message=message,
        link=reverse("people:person", args=[person.pk]),
        reason=f"item_{kind}",
        person=person,
        items=[item],
        by=by,
    )


@transaction.atomic
def correct_item(
    item: InformationItem, *, by: StaffMember, changes: dict[str, Any], reason: str
) -> ItemCorrection:
    """Correct fields of an item held by `by`'s agency; keep the old values; notify who received it."""
    _check_holder(item, by, "correct")
    reason = _reason(reason, "corrected")
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            "The information was not corrected: some fields cannot be corrected.",
            field_errors={name: f"{name} cannot be corrected" for name in unknown},
        )
    if "category" in changes and not isinstance(changes["category"], Category):
        category = Category.objects.filter(code=str(changes["category"])).first()
        if category is None:
            raise InvalidInput(
                "The information was not corrected: correct the problems listed.",
                field_errors={"category": f"There is no category with the code {changes['category']!r}"},
            )
        changes = {**changes, "category": category}
    if "summary" in changes:
        changes = {**changes, "summary": (changes["summary"] or "").strip()}
    changed = {name: value for name, value in changes.items() if getattr(item, name) != value}
    if not changed:
        raise InvalidInput("Nothing was corrected: the values given are the same as the current ones.")
    merged = {name: changed.get(name, getattr(item, name)) for name in CORRECTABLE_FIELDS}
    errors = _item_errors(
        summary=merged["summary"],
        details=merged["details"],
        sensitivity=merged["sensitivity"],
        valid_from=merged["valid_from"],
        valid_to=merged["valid_to"],
        review_by=merged["review_by"],
        review_may_be_past="review_by" not in changed,
    )
    if errors:
        raise InvalidInput(
            "The information was not corrected: correct the problems listed.", field_errors=errors
        )
    previous = {name: _as_record(getattr(item, name)) for name in changed}
    for name, value in changed.items():
        setattr(item, name, value)
    item.save(update_fields=list(changed))
    correction = ItemCorrection.objects.create(
        item=item,
        by=by,
        kind=CorrectionKind.CORRECTED,
        reason=reason,
        previous=previous,
        changes={name: _as_record(value) for name, value in changed.items()},
    )
    ledger.record(
        Action.ITEM_CORRECTED,
        by=by,
        person=item.person_id,
        items=[item],
        # The reason stays in the (sealed) correction, not the append-only ledger: it may name the
        # person, and disposal must be able to remove it.
        details={"fields": sorted(changed), "correction_id": correction.pk},
    )
    _tell_recipients(item, by=by, kind=CorrectionKind.CORRECTED, correction=correction)
    return correction


@transaction.atomic
def withdraw_item(item: InformationItem, *, by: StaffMember, reason: str) -> ItemCorrection:
    """Withdraw an item held by `by`'s agency: nobody sees it again, and who received it is told."""
    _check_holder(item, by, "withdraw")
    reason = _reason(reason, "withdrawn")
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status"])
    correction = ItemCorrection.objects.create(
        item=item,
        by=by,
        kind=CorrectionKind.WITHDRAWN,
        reason=reason,
        previous={"status": ItemStatus.LIVE},
        changes={"status": ItemStatus.WITHDRAWN},
    )
    ledger.record(
        Action.ITEM_WITHDRAWN,
        by=by,
        person=item.person_id,
        items=[item],
        details={"correction_id": correction.pk},
    )
    _tell_recipients(item, by=by, kind=CorrectionKind.WITHDRAWN, correction=correction)
    return correction


def reassign_items(from_person: Person, to_person: Person, *, by: StaffMember | None) -> list[str]:
    """Move every item of `from_person` to `to_person` (identity merge); return the ids moved.

    Only records touches item rows: identity calls this and keeps the ids so an unmerge can put
    exactly these items back. Content is not changed, but it is re-sealed under `to_person`'s data
    keys, so a disposal always finds an item's key by its person and holding agency.
    """
    with transaction.atomic():
        items = list(InformationItem.objects.select_for_update().filter(person=from_person))
        _move_items(items, to_person)
    return [str(item.pk) for item in items]


def reassign_items_of_many(moves: dict[Any, Person], *, by: StaffMember | None) -> dict[Any, list[str]]:
    """Move every item of each person id in `moves` to the person it maps to (a linking run's
    merges, all at once); return, per person id moved from, the ids of its items moved.

    The bulk form of `reassign_items`: one query per thousand people instead of one per person.
    """
    moved: dict[Any, list[str]] = {}
    from_ids = list(moves)
    with transaction.atomic():
        for start in range(0, len(from_ids), 1000):
            chunk = from_ids[start : start + 1000]
            items = list(InformationItem.objects.select_for_update().filter(person_id__in=chunk))
            by_destination: dict[Any, list[InformationItem]] = {}
            for item in items:
                moved.setdefault(item.person_id, []).append(str(item.pk))
                by_destination.setdefault(moves[item.person_id].pk, []).append(item)
            for group in by_destination.values():
                _move_items(group, moves[group[0].person_id])
    return moved


def restore_items(item_ids: Iterable[str], to_person: Person, *, by: StaffMember | None) -> int:
    """Move the given items (by id) to `to_person` again (identity unmerge); return how many moved."""
    ids = [uuid.UUID(str(item_id)) for item_id in item_ids]
    with transaction.atomic():
        items = list(InformationItem.objects.select_for_update().filter(id__in=ids).exclude(person=to_person))
        _move_items(items, to_person)
    return len(items)


def _move_items(items: list[InformationItem], to_person: Person) -> None:
    """Give `items` to `to_person`, re-sealing their content and history under its data keys."""
    if not items:
        return
    corrections = list(ItemCorrection.objects.filter(item__in=items))
    by_id = {item.pk: item for item in items}
    for correction in corrections:
        correction.item = by_id[correction.item_id]
        correction.open_history()  # under the old bucket's key, before the item moves
    for item in items:
        item.open_content()
    for item in items:
        item.person = to_person
    agencies = {item.holding_agency_id for item in items}
    keys = {agency: sealing.current_keys(agency, [to_person.pk])[to_person.pk] for agency in agencies}
    for item in items:
        if item.sealed_content is not None:
            item._seal_with(keys[item.holding_agency_id][1], keys[item.holding_agency_id][0])
    for correction in corrections:
        if correction.sealed_history is not None:
            agency = correction.item.holding_agency_id
            correction.seal_history_with(keys[agency][1], keys[agency][0])
    InformationItem.objects.bulk_update(items, ["person", "sealed_content"], batch_size=500)
    ItemCorrection.objects.bulk_update(corrections, ["sealed_history"], batch_size=500)


# -- Disposal (invariant 6): the content goes for good, a certificate stays -----------------------


@dataclass(frozen=True)
class DisposalCertificate:
    """What was disposed of, whose, when, under which rule and by whom; kept on the ledger."""

    item_id: uuid.UUID
    person_id: uuid.UUID
    holding_agency: str
    category: str
    rule: str
    reason: str
    disposed_at: dt.datetime  # the ledger entry's time
    by_id: int | None
    ledger_entry_id: int


ROLES_THAT_DISPOSE = {Role.IG_LEAD, Role.SYSTEM}


def dispose_items(
    item_ids: Iterable[uuid.UUID | str],
    *,
    by: StaffMember | None,
    rule: str,
    reason: str,
    rotate_master_key: bool = True,
) -> list[DisposalCertificate]:
    """Dispose of items for good: content, correction history and data key destroyed; a certificate stays.

    Each (person, holding agency) bucket is one transaction: its key is replaced and its surviving
    items re-sealed, so nothing sealed under the old key can be opened again. Then (by default) the
    master key is rotated, so a database backup taken before cannot bring the content back either.
    Already-disposed items are skipped, so a run killed midway is finished by running it again.
    `by` is the information-governance lead deciding, or None for a scheduled retention sweep.
    Legal holds are the caller's to check. Returns the certificates of the items disposed of now.
    """
    rule, reason = (rule or "").strip(), (reason or "").strip()
    problems = {}
    if not rule:
        problems["rule"] = "Name the retention rule the information is disposed of under"
    if not reason:
        problems["reason"] = "Enter why the information is being disposed of"
    ids: list[uuid.UUID] = []
    for index, item_id in enumerate(item_ids):
        try:
            ids.append(item_id if isinstance(item_id, uuid.UUID) else uuid.UUID(str(item_id)))
        except ValueError:
            problems[f"item_ids[{index}]"] = f"{item_id!r} is not an item id"
    if problems:
        raise InvalidInput("Nothing was disposed of: correct the problems listed.", field_errors=problems)
    found: dict[uuid.UUID, tuple[uuid.UUID, int, str]] = {}
    for start in range(0, len(ids), 900):
        for item_id, person_id, agency_id, status in InformationItem.objects.filter(
            id__in=ids[start : start + 900]
        ).values_list("id", "person_id", "holding_agency_id", "status"):
            found[item_id] = (person_id, agency_id, status)
    unknown = [str(item_id) for item_id in ids if item_id not in found]
    if unknown:
        raise InvalidInput(
            "Nothing was disposed of: some items do not exist.",
            field_errors={"item_ids": "No item has the id " + ", ".join(unknown[:10])},
        )
    buckets: dict[tuple[uuid.UUID, int], set[uuid.UUID]] = {}
    for item_id, (person_id, agency_id, status) in found.items():
        if status != ItemStatus.DISPOSED:
            buckets.setdefault((person_id, agency_id), set()).add(item_id)
    if by is not None:
        foreign = {agency for _, agency in buckets} - {by.agency_id}
        if by.role not in ROLES_THAT_DISPOSE or (by.role == Role.IG_LEAD and foreign):
            raise NotPermitted(
                "Only the information-governance lead of the agency that holds information can dispose of it."
            )
    if buckets:
        sealing.mark_rotation_due()
    certificates: list[DisposalCertificate] = []
    for (person_id, agency_id), bucket_ids in sorted(buckets.items(), key=lambda pair: str(pair[0])):
        certificates += _dispose_bucket(person_id, agency_id, bucket_ids, by=by, rule=rule, reason=reason)
    if rotate_master_key and sealing.master_keys().rotation_due:
        sealing.rotate_master_key()
    return certificates


@transaction.atomic
def _dispose_bucket(
    person_id: uuid.UUID,
    agency_id: int,
    item_ids: set[uuid.UUID],
    *,
    by: StaffMember | None,
    rule: str,
    reason: str,
) -> list[DisposalCertificate]:
    key = DataKey.objects.select_for_update().filter(person_id=person_id, holding_agency_id=agency_id).first()
    items = list(
        InformationItem.objects.select_for_update()
        .filter(person_id=person_id, holding_agency_id=agency_id)
        .select_related("category", "holding_agency")
    )
    disposing = [item for item in items if item.pk in item_ids and item.status != ItemStatus.DISPOSED]
    if not disposing:  # another run finished this bucket meanwhile
        return []
    surviving = [item for item in items if item.pk not in item_ids and item.sealed_content is not None]
    by_id = {item.pk: item for item in items}
    corrections = list(ItemCorrection.objects.filter(item_id__in=list(by_id)))
    surviving_history = [c for c in corrections if c.item_id not in item_ids and c.sealed_history is not None]
    for correction in surviving_history:
        correction.item = by_id[correction.item_id]
        correction.open_history()  # under the key about to be destroyed
    for item in surviving:
        item.open_content()

    # A new data key for the bucket; the old one is overwritten, with no copy kept anywhere.
    data_key, generation, wrapped = sealing.new_data_key(person_id, agency_id)
    cipher, serial = sealing.AESGCM(data_key), (key.serial + 1 if key else 1)
    for item in surviving:
        item._seal_with(cipher, serial)
    for correction in surviving_history:
        correction.seal_history_with(cipher, serial)
    InformationItem.objects.bulk_update(surviving, ["sealed_content"], batch_size=500)
    ItemCorrection.objects.bulk_update(surviving_history, ["sealed_history"], batch_size=500)
    if key is None:
        DataKey.objects.create(
            person_id=person_id,
            holding_agency_id=agency_id,
            serial=serial,
            generation=generation,
            wrapped=wrapped,
        )
    else:
        key.serial, key.generation, key.wrapped = serial, generation, wrapped
        key.save(update_fields=["serial", "generation", "wrapped"])

    disposed_ids = [item.pk for item in disposing]
    InformationItem.objects.filter(id__in=disposed_ids).update(
        status=ItemStatus.DISPOSED,
        sealed_content=None,
        form_code="",
        form_version=None,
        restricted_reason="",
    )
    # A correction's reason may repeat what was corrected: it goes with the content.
    ItemCorrection.objects.filter(item_id__in=disposed_ids).update(sealed_history=None, reason="")
    transaction.on_commit(lambda: sealing.key_cache.forget_bucket(person_id, agency_id))
    sealing.key_cache.forget_bucket(person_id, agency_id)

    events = [
        ledger.Event(
            action=Action.DISPOSED,
            by=by,
            person_id=person_id,
            item_ids=[str(item.pk)],
            holding_agencies=[item.holding_agency.code],
            details={
                "certificate": {
                    "item_id": str(item.pk),
                    "category": item.category.code,
                    "holding_agency": item.holding_agency.code,
                    "person_id": str(person_id),
                    "recorded_at": item.recorded_at.isoformat(),
                    "rule": rule,
                    "reason": reason,
                }
            },
        )
        for item in disposing
    ]
    entries = ledger.append_many(events)
    return [
        DisposalCertificate(
            item_id=item.pk,
            person_id=person_id,
            holding_agency=item.holding_agency.code,
            category=item.category.code,
            rule=rule,
            reason=reason,
            disposed_at=entry.at,
            by_id=by.pk if by is not None else None,
            ledger_entry_id=entry.pk,
        )
        for item, entry in zip(disposing, entries, strict=True)
    ]
