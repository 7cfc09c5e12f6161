"""The daily retention sweep: find what is due, queue reviews, dispose of the rest unless held.

Idempotent and safe to kill: work is done in batches, each committed on its own; an item leaves the
set of due items the moment its batch commits (a review opened, or the item disposed of), so a re-run
finds only what is still due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from iomshare.exchange import extract_runs
from iomshare.retention import due, services
from iomshare.retention.models import (
    ExpiryAction,
    LegalHold,
    RetentionReview,
    RetentionSchedule,
    SweepOutcome,
    SweepRun,
    SweepTally,
    Trigger,
    add_period,
)

BATCH_SIZE = 500


@dataclass
class SweepResult:
    """What one sweep found and did (or, in a dry run, would do)."""

    today: dt.date
    dry_run: bool
    found: int = 0
    queued_for_review: int = 0
    disposed: int = 0
    anonymised: int = 0
    held: int = 0  # due for disposal but under a legal hold: queued, with the reason, instead
    batches: int = 0
    expired_extracts: int = 0  # bulk extract files past their expiry, deleted with their keys
    by_rule: dict[str, int] = field(default_factory=dict)
    run: SweepRun | None = None  # the record of this run kept for the retention hub (not in a dry run)


def due_on(item: due.DueItem, dates: dict[str, dict]) -> dt.date:
    """The day `item`'s retention period ended (counting from the recorded date where no event date)."""
    schedule = item.schedule
    start = dates.get(schedule.trigger, {}).get(item.person_id)
    if start is None or schedule.trigger == Trigger.RECORDED:
        start = timezone.localdate(item.recorded_at)
    return add_period(start, schedule.period, schedule.unit)


def _review(item: due.DueItem, today: dt.date, dates: dict[str, dict], *, held: bool) -> RetentionReview:
    return RetentionReview(
        item_id=item.item_id,
        person_id=item.person_id,
        holding_agency_id=item.holding_agency_id,
        category_id=item.category_id,
        recorded_at=item.recorded_at,
        schedule=item.schedule,
        rule=rule_text(item.schedule),
        due_on=due_on(item, dates),
        opened_on=today,
        held_at_sweep=held,
    )


def rule_text(schedule: RetentionSchedule) -> str:
    """The rule as certificates and the queue name it: its reference and its words."""
    return f"{schedule.rule_reference} ({schedule.describe()})"


def _held(batch: list[due.DueItem]) -> tuple[set, set]:
    """People and items in `batch` under a legal hold, read inside the batch's transaction."""
    holds = LegalHold.objects.filter(lifted_at__isnull=True)
    people = set(
        holds.filter(person_id__in={item.person_id for item in batch}).values_list("person_id", flat=True)
    )
    items = set(holds.filter(item_id__in=[item.item_id for item in batch]).values_list("item_id", flat=True))
    return people, items


def _do_batch(batch: list[due.DueItem], today: dt.date, result: SweepResult) -> None:
    held_people, held_items = _held(batch)
    dates = due.trigger_dates(item.person_id for item in batch)
    reviews: list[RetentionReview] = []
    disposals: dict[int, list[due.DueItem]] = {}
    stopped: list[due.DueItem] = []  # due for disposal, but a legal hold stopped it
    for item in batch:
        is_held = item.person_id in held_people or item.item_id in held_items
        if item.schedule.action == ExpiryAction.REVIEW or is_held:
            reviews.append(
                _review(item, today, dates, held=is_held and item.schedule.action != ExpiryAction.REVIEW)
            )
            if is_held and item.schedule.action != ExpiryAction.REVIEW:
                stopped.append(item)
                result.held += 1
        else:
            disposals.setdefault(item.schedule.pk, []).append(item)
    # ignore_conflicts: a second sweep running at the same moment cannot queue an item twice.
    RetentionReview.objects.bulk_create(reviews, ignore_conflicts=True)
    result.queued_for_review += len(reviews)
    for items in disposals.values():
        schedule = items[0].schedule
        services.dispose(
            [item.item_id for item in items],
            by=None,
            rotate=False,
            rule=rule_text(schedule),
            reason=f"Retention period ended (retention sweep of {today:%-d %B %Y}).",
        )
        if schedule.action == ExpiryAction.ANONYMISE:
            services.count_anonymised((i.holding_agency_id, i.category_id, i.recorded_at) for i in items)
            result.anonymised += len(items)
        else:
            result.disposed += len(items)
    if result.run is not None:
        _tally(result.run, disposals, stopped)
        SweepRun.objects.filter(pk=result.run.pk).update(
            queued_for_review=result.queued_for_review,
            disposed=result.disposed,
            anonymised=result.anonymised,
            held=result.held,
        )


def _tally(run: SweepRun, disposals: dict[int, list[due.DueItem]], stopped: list[due.DueItem]) -> None:
    """Add one batch's automatic disposals, and the holds that stopped some, to the run's record
    (inside the batch's transaction, so a stopped run's record says what it did)."""
    counts: dict[tuple[int, int, SweepOutcome], int] = {}
    for items in disposals.values():
        outcome = (
            SweepOutcome.ANONYMISED
            if items[0].schedule.action == ExpiryAction.ANONYMISE
            else SweepOutcome.DISPOSED
        )
        for item in items:
            key = (item.holding_agency_id, item.category_id, outcome)
            counts[key] = counts.get(key, 0) + 1
    for item in stopped:
        key = (item.holding_agency_id, item.category_id, SweepOutcome.HELD)
        counts[key] = counts.get(key, 0) + 1
    for (agency_id, category_id, outcome), n in sorted(counts.items()):
        tally, _ = SweepTally.objects.get_or_create(
            run=run, holding_agency_id=agency_id, category_id=category_id, outcome=outcome
        )
        SweepTally.objects.filter(pk=tally.pk).update(count=F("count") + n)
    if stopped:
        holds = LegalHold.objects.filter(lifted_at__isnull=True).filter(
            Q(person_id__in={item.person_id for item in stopped})
            | Q(item_id__in=[item.item_id for item in stopped])
        )
        run.stopping_holds.add(*holds.values_list("pk", flat=True))


def sweep(
    today: dt.date | None = None,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    on_found: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> SweepResult:
    """Act on everything due by `today`: reviews queued, disposals done, holds respected.

    `on_found(total)` and `on_batch(size)` report progress (the command shows a progress bar).
    """
    today = today or timezone.localdate()
    result = SweepResult(today=today, dry_run=dry_run)
    schedules = due.Schedules()
    found = list(due.due_items(today, schedules=schedules))
    result.found = len(found)
    for item in found:
        key = item.schedule.rule_reference
        result.by_rule[key] = result.by_rule.get(key, 0) + 1
    if on_found is not None:
        on_found(len(found))
    if dry_run:
        _count_dry_run(found, result)
        return result
    result.run = SweepRun.objects.create(day=today, found=len(found))
    for start in range(0, len(found), batch_size):
        batch = found[start : start + batch_size]
        with transaction.atomic():
            _do_batch(batch, today, result)
        result.batches += 1
        if on_batch is not None:
            on_batch(len(batch))
    services.finish_disposals()  # once for the whole run, after every batch has committed
    result.expired_extracts = extract_runs.delete_expired()
    SweepRun.objects.filter(pk=result.run.pk).update(finished_at=timezone.now())
    return result


def _count_dry_run(found: list[due.DueItem], result: SweepResult) -> None:
    for start in range(0, len(found), BATCH_SIZE):
        batch = found[start : start + BATCH_SIZE]
        held_people, held_items = _held(batch)
        for item in batch:
            is_held = item.person_id in held_people or item.item_id in held_items
            if item.schedule.action == ExpiryAction.REVIEW:
                result.queued_for_review += 1
            elif is_held:
                result.held += 1
                result.queued_for_review += 1
            elif item.schedule.action == ExpiryAction.ANONYMISE:
                result.anonymised += 1
            else:
                result.disposed += 1
