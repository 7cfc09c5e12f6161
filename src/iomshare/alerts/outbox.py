"""The outbox: cohort events written in the caller's transaction, so an event exists only if its change does.

Only ids and codes are written, never content; `fanout` turns them into alerts later, through the door.
Writing is set-based (one INSERT per batch of items), so an import keeps its pace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from iomshare.alerts.models import CohortEvent, EventKind, EventSignal
from iomshare.records.models import Category

# (answer field, concept code, kind, is urgent), by category id
Signals = dict[int, list[tuple[str, str, str, bool]]]


def signals() -> Signals:
    """The partnership's event signals, keyed by category id (read once per batch or item)."""
    ids = dict(Category.objects.values_list("code", "pk"))
    found: Signals = {}
    for signal in EventSignal.objects.all():
        if signal.category_code in ids:
            found.setdefault(ids[signal.category_code], []).append(
                (signal.answer_field, signal.concept_code, signal.kind, signal.is_urgent)
            )
    return found


def _signalled(signal_list, payload: Mapping[str, Any] | None) -> tuple[str, bool] | None:
    # A form's item carries its answers under "answers" (forms.services.payload_of).
    answers = (payload or {}).get("answers", payload or {})
    for field, concept, kind, urgent in signal_list:
        if not field:
            return kind, urgent
        answer = answers.get(field) if isinstance(answers, Mapping) else None
        if answer == concept or (isinstance(answer, list) and concept in answer):
            return kind, urgent
    return None


def events_for_items(
    rows: Sequence[Mapping[str, Any]], ids: Sequence[uuid.UUID], *, agency_id: int, by_id: int, known: Signals
) -> list[CohortEvent]:
    """Unsaved events for the recorded items (rows as given to the recorder) that signal one."""
    events = []
    for row, item_id in zip(rows, ids, strict=True):
        signal_list = known.get(row["category_id"])
        if signal_list is None:
            continue
        if (found := _signalled(signal_list, row.get("payload"))) is not None:
            kind, urgent = found
            events.append(
                CohortEvent(
                    kind=kind,
                    person_id=row["person_id"],
                    item_id=item_id,
                    source_agency_id=agency_id,
                    is_urgent=urgent,
                    details={"by": by_id},
                )
            )
    return events


def write(events: Iterable[CohortEvent]) -> int:
    """Insert the events in the caller's transaction and queue their fan-out with them."""
    events = list(events)
    if not events:
        return 0
    CohortEvent.objects.bulk_create(events, batch_size=2000)
    _queue_fan_out()
    return len(events)


def event(
    kind: EventKind | str,
    *,
    person_id,
    item_id=None,
    agency_id: int | None = None,
    by_id: int | None = None,
    urgent: bool = False,
    **details: Any,
) -> CohortEvent:
    """Write one event now (a correction, a decision, a cohort change), in the caller's transaction."""
    created = CohortEvent.objects.create(
        kind=kind,
        person_id=person_id,
        item_id=item_id,
        source_agency_id=agency_id,
        is_urgent=urgent,
        details={"by": by_id, **details},
    )
    _queue_fan_out()
    return created


def _queue_fan_out() -> None:
    """Queue a fan-out with the events (it takes every event not yet fanned out, so extra ones are cheap).

    Not deduplicated per transaction: `@transaction.atomic` reuses one block object across calls, so no
    marker on it can tell one transaction from the next.
    """
    from iomshare.alerts.fanout import fan_out_events

    fan_out_events.enqueue()
