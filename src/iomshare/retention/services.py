"""Business actions of retention: schedules, review decisions, legal holds and restriction.

Every action is by an information-governance lead and goes on the ledger. Disposal itself (destroying
the content and leaving a certificate) is records' work: `records.services.dispose_items`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import Person
from iomshare.records import disposal, key_store
from iomshare.records.models import Category, ItemStatus
from iomshare.retention import due
from iomshare.retention.models import (
    AnonymisedCount,
    ExpiryAction,
    ItemRetention,
    LegalHold,
    PeriodUnit,
    RetentionReview,
    RetentionSchedule,
    ReviewStatus,
    Trigger,
    add_period,
)

# Until the ledger names these actions itself (records part of issue 7 adds them), their codes.
ITEM_RESTRICTED = getattr(Action, "ITEM_RESTRICTED", "item_restricted")
ITEM_RESTRICTION_LIFTED = getattr(Action, "ITEM_RESTRICTION_LIFTED", "item_restriction_lifted")

MAX_PERIOD_DAYS = 100 * 366  # nothing is kept for more than 100 years under a schedule
MAX_RETAIN_YEARS = 10
MAX_TEXT = 2000


def _require_ig_lead(by: StaffMember, what: str) -> int:
    """`by`'s agency id, if they are an information-governance lead of an agency."""
    if by is None or by.role != Role.IG_LEAD or by.agency_id is None:
        raise NotPermitted(f"Only an information-governance lead can {what}.")
    return by.agency_id


def _agency_code(by: StaffMember) -> str:
    assert by.agency is not None  # every action here is an IG lead's, of an agency (_require_ig_lead)
    return by.agency.code


def _require_holding_lead(by: StaffMember, holding_agency_id: int, what: str) -> None:
    _require_ig_lead(by, what)
    if by.agency_id != holding_agency_id:
        raise NotPermitted(f"Only an information-governance lead of the agency that holds it can {what}.")


def _text(value: str, field: str, message_if_empty: str, failed: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(failed, field_errors={field: message_if_empty})
    if len(value) > MAX_TEXT:
        raise InvalidInput(failed, field_errors={field: "Must be 2,000 characters or fewer"})
    return value


def _record(
    action: str, *, by: StaffMember | None, person_id=None, item_ids=(), agency_codes=(), **details
) -> None:
    ledger.append(
        ledger.Event(
            action=action,
            by=by,
            person_id=person_id,
            item_ids=[str(item_id) for item_id in item_ids],
            holding_agencies=sorted(set(agency_codes)),
            details=details,
        )
    )


# -- Schedules --------------------------------------------------------------------------------------


def schedule_problems(*, period: Any, unit: str, trigger: str, action: str, reasoning: str) -> dict[str, str]:  # noqa: C901 (one check per field of the schedule, each reported at once)
    """What is wrong with a schedule as entered, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    text = str(period if period is not None else "").strip()
    if not text:
        errors["period"] = "Enter how long the information is kept"
    elif not text.isdigit():
        errors["period"] = "The period must be a whole number, like 6"
    elif int(text) < 1:
        errors["period"] = "The period must be at least 1"
    if unit not in PeriodUnit.values:
        errors["unit"] = "Select days, months or years"
    elif "period" not in errors:
        days = int(text) * {"days": 1, "months": 31, "years": 366}[unit]
        if days > MAX_PERIOD_DAYS:
            errors["period"] = "The period must be 100 years or less"
    if trigger not in Trigger.values:
        errors["trigger"] = "Select what the period counts from"
    if action not in ExpiryAction.values:
        errors["action"] = "Select what happens when the period ends"
    reasoning = (reasoning or "").strip()
    if not reasoning:
        errors["reasoning"] = "Enter why the information is kept this long (the law or guidance relied on)"
    elif len(reasoning) > MAX_TEXT:
        errors["reasoning"] = "The reasoning must be 2,000 characters or fewer"
    return errors


def _as_record(schedule: RetentionSchedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return {
        "period": schedule.period,
        "unit": schedule.unit,
        "trigger": schedule.trigger,
        "action": schedule.action,
        "reasoning": schedule.reasoning,
    }


@transaction.atomic
def set_agency_schedule(
    category: Category,
    *,
    by: StaffMember,
    period: Any,
    unit: str,
    trigger: str,
    action: str,
    reasoning: str,
) -> RetentionSchedule:
    """Set `by`'s agency's own schedule for `category` (it replaces the partnership default for the
    items that agency holds). All fields are checked first; on any problem nothing changes."""
    _require_ig_lead(by, "change a retention schedule")
    errors = schedule_problems(period=period, unit=unit, trigger=trigger, action=action, reasoning=reasoning)
    if errors:
        raise InvalidInput(
            "The retention schedule was not changed: correct the problems listed.", field_errors=errors
        )
    schedule = (
        RetentionSchedule.objects.select_for_update()
        .filter(category=category, holding_agency_id=by.agency_id)
        .first()
    )
    previous = _as_record(schedule)
    schedule = schedule or RetentionSchedule(category=category, holding_agency_id=by.agency_id)
    schedule.period = int(str(period).strip())
    schedule.unit = unit
    schedule.trigger = trigger
    schedule.action = action
    schedule.reasoning = reasoning.strip()
    schedule.updated_at = timezone.now()
    schedule.updated_by = by
    schedule.save()
    _record(
        Action.ADMIN_CHANGE,
        by=by,
        agency_codes=[_agency_code(by)],
        change="retention_schedule",
        category=category.code,
        previous=previous,
        now=_as_record(schedule),
    )
    return schedule


@transaction.atomic
def use_partnership_default(category: Category, *, by: StaffMember) -> None:
    """Remove `by`'s agency's own schedule for `category`: the partnership default applies again."""
    _require_ig_lead(by, "change a retention schedule")
    schedule = RetentionSchedule.objects.filter(category=category, holding_agency_id=by.agency_id).first()
    if schedule is None:
        raise InvalidInput(f"Your agency already uses the partnership default for {category.name.lower()}.")
    if not RetentionSchedule.objects.filter(category=category, holding_agency__isnull=True).exists():
        raise InvalidInput(
            f"There is no partnership default for {category.name.lower()}, so your agency's schedule stays."
        )
    previous = _as_record(schedule)
    schedule.delete()
    _record(
        Action.ADMIN_CHANGE,
        by=by,
        agency_codes=[_agency_code(by)],
        change="retention_schedule",
        category=category.code,
        previous=previous,
        now="partnership default",
    )


# -- Disposal ---------------------------------------------------------------------------------------


def dispose(
    item_ids: list[uuid.UUID], *, by: StaffMember | None, rule: str, reason: str, rotate: bool = True
) -> None:
    """Dispose of items through records (the only code that touches item content).

    The master key is rotated only once the disposal has committed (`rotate`), or by the caller after
    a run of disposals: rotating inside a transaction that then rolled back would leave data keys
    wrapped by an erased master key.
    """
    disposal.dispose_items(item_ids, by=by, rule=rule, reason=reason, rotate_master_key=False)
    if rotate:
        transaction.on_commit(finish_disposals)


def finish_disposals() -> None:
    """Rotate the master key if a disposal (this one, or one killed before its rotation) awaits it,
    so a database backup taken before cannot bring disposed content back."""
    if key_store.master_keys().rotation_due:
        key_store.rotate_master_key()


def count_anonymised(items: Iterable[tuple[int, int, dt.datetime]]) -> None:
    """Add anonymised items (holding agency id, category id, recorded at) to the counts kept of them."""
    tally: dict[tuple[int, int, int], int] = {}
    for agency_id, category_id, recorded_at in items:
        key = (agency_id, category_id, timezone.localtime(recorded_at).year)
        tally[key] = tally.get(key, 0) + 1
    for (agency_id, category_id, year), n in sorted(tally.items()):
        count, _ = AnonymisedCount.objects.select_for_update().get_or_create(
            holding_agency_id=agency_id, category_id=category_id, recorded_year=year
        )
        AnonymisedCount.objects.filter(pk=count.pk).update(count=F("count") + n)


# -- Legal holds ------------------------------------------------------------------------------------


def active_holds(*, person_ids: Iterable[Any] = (), item_ids: Iterable[Any] = ()) -> list[LegalHold]:
    """Holds in force on any of these people or items."""
    from django.db.models import Q

    person_ids, item_ids = list(person_ids), list(item_ids)
    if not person_ids and not item_ids:
        return []
    return list(
        LegalHold.objects.filter(lifted_at__isnull=True)
        .filter(Q(person_id__in=person_ids) | Q(item_id__in=item_ids))
        .select_related("placed_by", "placing_agency", "person")
    )


@transaction.atomic
def place_legal_hold(
    *, by: StaffMember, reason: str, person: Person | None = None, item_id: uuid.UUID | str | None = None
) -> LegalHold:
    """Stop disposal of everything about `person`, or of one item, until the hold is lifted."""
    agency_id = _require_ig_lead(by, "place a legal hold")
    if (person is None) == (item_id is None):
        raise InvalidInput("Choose a person or an item to place the legal hold on.")
    reason = _text(
        reason, "reason", "Enter why the information must be kept", "The legal hold was not placed."
    )
    facts = None
    if item_id is not None:
        facts = due.item_facts(item_id)
        if facts is None or facts.status not in due.HELD_STATUSES:
            raise NotFound("There is no such item held, so there is nothing to hold.")
        person_id = facts.person_id
        existing = LegalHold.objects.filter(item_id=facts.item_id, lifted_at__isnull=True).first()
    else:
        assert person is not None  # a person or an item, checked above
        person_id = person.pk
        existing = LegalHold.objects.filter(person=person, lifted_at__isnull=True).first()
    if existing is not None:
        raise InvalidInput(
            f"There is already a legal hold on this {'item' if item_id else 'person'}, placed by "
            f"{existing.placing_agency.name} on {existing.placed_at:%-d %B %Y}."
        )
    hold = LegalHold.objects.create(
        person=person,
        item_id=facts.item_id if facts else None,
        reason=reason,
        placed_by=by,
        placing_agency_id=agency_id,
    )
    _record(
        Action.ADMIN_CHANGE,
        by=by,
        person_id=person_id,
        item_ids=[facts.item_id] if facts else [],
        agency_codes=[_agency_code(by)],
        change="legal_hold_placed",
        hold_id=hold.pk,
        reason=reason,
    )
    return hold


@transaction.atomic
def lift_legal_hold(hold: LegalHold, *, by: StaffMember, reason: str) -> LegalHold:
    """Lift a hold placed by `by`'s own agency; what it protected becomes disposable again."""
    _require_ig_lead(by, "lift a legal hold")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.placing_agency_id != by.agency_id:
        raise NotPermitted(f"Only {hold.placing_agency.name}, which placed this legal hold, can lift it.")
    if hold.lifted_at is not None:
        raise InvalidInput(f"This legal hold was already lifted on {hold.lifted_at:%-d %B %Y}.")
    hold.lift_reason = _text(
        reason, "lift_reason", "Enter why the hold can be lifted", "The hold was not lifted."
    )
    hold.lifted_by = by
    hold.lifted_at = timezone.now()
    hold.save(update_fields=["lift_reason", "lifted_by", "lifted_at"])
    _record(
        Action.ADMIN_CHANGE,
        by=by,
        person_id=hold.person_id,
        item_ids=[hold.item_id] if hold.item_id else [],
        agency_codes=[_agency_code(by)],
        change="legal_hold_lifted",
        hold_id=hold.pk,
        reason=hold.lift_reason,
    )
    return hold


def hold_explanation(holds: Iterable[LegalHold]) -> str:
    """Why disposal is blocked, in words, naming who placed each hold, when and why."""
    parts = []
    for hold in holds:
        on = "this person" if hold.person_id else "this item"
        parts.append(
            f"Legal hold on {on} placed by {hold.placed_by} ({hold.placing_agency.name}) on "
            f"{timezone.localtime(hold.placed_at):%-d %B %Y}: {hold.reason}"
        )
    return " ".join(parts)


# -- Review decisions -------------------------------------------------------------------------------


def _open_review(review: RetentionReview, by: StaffMember, what: str) -> RetentionReview:
    _require_holding_lead(by, review.holding_agency_id, what)
    review = RetentionReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.OPEN:
        raise InvalidInput(
            f"A decision was already made on this item: {review.get_status_display().lower()}."
        )
    return review


@transaction.atomic
def retain(
    review: RetentionReview,
    *,
    by: StaffMember,
    reason: str,
    retain_until: dt.date | None,
    today: dt.date | None = None,
) -> RetentionReview:
    """Keep an item past its schedule, with a reason and a date it comes back to the queue."""
    review = _open_review(review, by, "decide what happens to this information")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter why the information is still needed"
    elif len(reason) > MAX_TEXT:
        errors["reason"] = "The reason must be 2,000 characters or fewer"
    if retain_until is None:
        errors["retain_until"] = "Enter the date to review the information again"
    elif retain_until <= today:
        errors["retain_until"] = "The date to review it again must be in the future"
    elif retain_until > add_period(today, MAX_RETAIN_YEARS, PeriodUnit.YEARS):
        errors["retain_until"] = f"The date to review it again must be within {MAX_RETAIN_YEARS} years"
    if errors:
        raise InvalidInput("The decision was not recorded: correct the problems listed.", field_errors=errors)
    assert retain_until is not None  # else a problem was named above
    review.status = ReviewStatus.RETAINED
    review.reason = reason
    review.retain_until = retain_until
    review.decided_by = by
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "reason", "retain_until", "decided_by", "decided_at"])
    ItemRetention.objects.update_or_create(
        item_id=review.item_id, defaults={"retain_until": retain_until, "review": review}
    )
    _record(
        Action.ADMIN_CHANGE,
        by=by,
        person_id=review.person_id,
        item_ids=[review.item_id],
        agency_codes=[_agency_code(by)],
        change="retention_retained",
        review_id=review.pk,
        rule=review.rule,
        reason=reason,
        retain_until=retain_until.isoformat(),
    )
    return review


@transaction.atomic
def dispose_after_review(review: RetentionReview, *, by: StaffMember, reason: str) -> RetentionReview:
    """Dispose of a reviewed item now, unless a legal hold applies (then say whose and why)."""
    review = _open_review(review, by, "decide what happens to this information")
    reason = _text(
        reason, "dispose_reason", "Enter why the information can be disposed of", "Nothing was disposed of."
    )
    holds = active_holds(person_ids=[review.person_id], item_ids=[review.item_id])
    if holds:
        raise NotPermitted(f"This information cannot be disposed of. {hold_explanation(holds)}")
    dispose([review.item_id], by=by, rule=review.rule, reason=reason)
    if review.schedule is not None and review.schedule.action == ExpiryAction.ANONYMISE:
        count_anonymised([(review.holding_agency_id, review.category_id, review.recorded_at)])
    review.status = ReviewStatus.DISPOSED
    review.reason = reason
    review.decided_by = by
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return review


# -- Restriction (invariant 4: the holding agency stays the controller) -----------------------------


def _held_item(item_id: uuid.UUID | str) -> due.ItemFacts:
    facts = due.item_facts(item_id)
    if facts is None or facts.status != ItemStatus.LIVE:
        raise NotFound("There is no such item, or it is no longer live.")
    return facts


def _facts_now(item_id: uuid.UUID) -> due.ItemFacts:
    facts = due.item_facts(item_id)
    assert facts is not None  # read a moment ago in this transaction
    return facts


@transaction.atomic
def restrict_item(item_id: uuid.UUID | str, *, by: StaffMember, reason: str) -> due.ItemFacts:
    """Restrict an item while its accuracy is disputed: only the holding agency's IG lead then sees it."""
    facts = _held_item(item_id)
    _require_holding_lead(by, facts.holding_agency_id, "restrict this information")
    if facts.is_restricted:
        raise InvalidInput(f"This information is already restricted, since {facts.restricted_at:%-d %B %Y}.")
    reason = _text(
        reason, "reason", "Enter why the information is restricted", "The information was not restricted."
    )
    due.set_restriction(facts.item_id, reason=reason, at=timezone.now())
    _record(
        ITEM_RESTRICTED,
        by=by,
        person_id=facts.person_id,
        item_ids=[facts.item_id],
        agency_codes=[_agency_code(by)],
        reason=reason,
    )
    return _facts_now(facts.item_id)


@transaction.atomic
def lift_restriction(item_id: uuid.UUID | str, *, by: StaffMember, reason: str) -> due.ItemFacts:
    """Lift an item's restriction once the dispute is settled: it is shown under the protocols again."""
    facts = _held_item(item_id)
    _require_holding_lead(by, facts.holding_agency_id, "lift the restriction on this information")
    if not facts.is_restricted:
        raise InvalidInput("This information is not restricted.")
    reason = _text(
        reason, "lift_reason", "Enter why the restriction can be lifted", "The restriction was not lifted."
    )
    due.set_restriction(facts.item_id, reason="", at=None)
    _record(
        ITEM_RESTRICTION_LIFTED,
        by=by,
        person_id=facts.person_id,
        item_ids=[facts.item_id],
        agency_codes=[_agency_code(by)],
        reason=reason,
        was=facts.restricted_reason,
    )
    return _facts_now(facts.item_id)
