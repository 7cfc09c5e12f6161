"""Retention: how long each kind of information is kept, the review queue, and legal holds.

Nothing outlives its retention (invariant 6): a schedule says when an item falls due and what then
happens to it; the daily sweep acts on it; a legal hold stops disposal until it is lifted. Items are
named by id only (no foreign key to the item row), so nothing here can reach item content.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from iomshare.partnership.models import Agency
from iomshare.people.models import Person
from iomshare.records.models import Category


class Trigger(models.TextChoices):
    """The event a retention period counts from."""

    RECORDED = "recorded", "When the item was recorded"
    LEFT_COHORT = "left_cohort", "When the person left the IOM cohort"
    LAST_CONTACT = "last_contact", "The person's last recorded contact"
    SENTENCE_END = "sentence_end", "When the person's sentence ended"


class PeriodUnit(models.TextChoices):
    DAYS = "days", "days"
    MONTHS = "months", "months"
    YEARS = "years", "years"


class ExpiryAction(models.TextChoices):
    """What happens to an item when its retention period ends."""

    REVIEW = "review", "Review by the information-governance lead"
    DISPOSE = "dispose", "Dispose of it"
    ANONYMISE = "anonymise", "Dispose of it, keeping only a count"


def add_period(day: dt.date, period: int, unit: str) -> dt.date:
    """`day` plus `period` days, months or years; the 31st plus a month ends on the month's last day."""
    if unit == PeriodUnit.DAYS:
        return day + dt.timedelta(days=period)
    months = period * 12 if unit == PeriodUnit.YEARS else period
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"cannot add {period} {unit} to {day}")  # unreachable: every month has a 28th


def subtract_period(day: dt.date, period: int, unit: str) -> dt.date:
    """The latest date from which `period` has fully passed by `day` (the sweep's cutoff)."""
    if unit == PeriodUnit.DAYS:
        return day - dt.timedelta(days=period)
    back = add_period(day, -period, unit)
    if (day + dt.timedelta(days=1)).day == 1:
        # `day` ends its month, so every later day of `back`'s month also reaches it (31 Jan + 1 month
        # is 28 February): the cutoff is that month's last day.
        next_month = add_period(back.replace(day=1), 1, PeriodUnit.MONTHS)
        back = next_month - dt.timedelta(days=1)
    return back


class RetentionSchedule(models.Model):
    """How long one category of information is kept: the partnership default, or one agency's own.

    A schedule with no holding agency is the partnership default for its category; an agency whose
    retention duty differs (a police force under MoPI, a health trust under the NHS records code)
    has its own schedule for that category, which then applies to the items it holds.
    """

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="retention_schedules")
    holding_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_schedules",
        help_text="Empty: the partnership default for every agency without a schedule of its own.",
    )
    period = models.PositiveIntegerField()
    unit = models.CharField(max_length=10, choices=PeriodUnit.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    action = models.CharField(max_length=10, choices=ExpiryAction.choices)
    reasoning = models.TextField(help_text="Why this period: the law, guidance or decision relied on.")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["category__name", "holding_agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "holding_agency"], name="retention_one_schedule_per_agency_category"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(holding_agency__isnull=True),
                name="retention_one_default_per_category",
            ),
            models.CheckConstraint(condition=models.Q(period__gt=0), name="retention_period_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.describe()}"

    def describe(self) -> str:
        """The rule in words, as the review queue and the disposal certificate name it."""
        unit = self.get_unit_display()
        if self.period == 1:
            unit = unit.removesuffix("s")
        trigger = {
            Trigger.RECORDED: "after it was recorded",
            Trigger.LEFT_COHORT: "after the person left the cohort",
            Trigger.LAST_CONTACT: "after the person's last contact",
            Trigger.SENTENCE_END: "after the person's sentence ended",
        }[Trigger(self.trigger)]
        action = {
            ExpiryAction.REVIEW: "then review",
            ExpiryAction.DISPOSE: "then dispose",
            ExpiryAction.ANONYMISE: "then dispose, keeping a count",
        }[ExpiryAction(self.action)]
        return f"{self.period} {unit} {trigger}, {action}"

    @property
    def rule_reference(self) -> str:
        """A stable name for the rule on disposal certificates: category and agency (or default)."""
        whose = self.holding_agency.code if self.holding_agency is not None else "default"
        return f"retention:{self.category.code}:{whose}"


class PersonDates(models.Model):
    """Per person, the dates retention counts from: one row each, so finding what is due is one join.

    The end of sentence is held nowhere else in iomshare: probation or prisons set it (admin or an
    import). The other dates are derived (cohort memberships, the latest contact item) and refreshed
    by `retention.due.refresh_person_dates` before every search for due items.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="retention_dates"
    )
    sentence_ends_on = models.DateField(null=True, blank=True)
    was_in_cohort = models.BooleanField(default=False, help_text="Derived: ever a member of the IOM cohort.")
    left_cohort_on = models.DateField(
        null=True, blank=True, help_text="Derived: when the last membership ended, if none is open."
    )
    last_contact_on = models.DateField(
        null=True, blank=True, help_text="Derived: when the latest contact item was recorded."
    )

    class Meta:
        verbose_name = "person's retention dates"
        verbose_name_plural = "people's retention dates"

    def __str__(self) -> str:
        return f"Retention dates for {self.person_id}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    RETAINED = "retained", "Retained"
    DISPOSED = "disposed", "Disposed of"


class RetentionReview(models.Model):
    """An item whose retention period has ended, waiting for (or given) the holding agency's decision.

    Carries the item's metadata (never its content) so the queue is listed without reading items.
    """

    item_id = models.UUIDField()
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.SET_NULL, null=True, related_name="+")
    rule = models.CharField(max_length=200, help_text="The schedule in words when the item fell due.")
    due_on = models.DateField()
    opened_on = models.DateField(help_text="The day the sweep put the item in the queue.")
    held_at_sweep = models.BooleanField(
        default=False, help_text="Due for disposal, but a legal hold stopped the sweep disposing of it."
    )
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    retain_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["holding_agency", "status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item_id"],
                condition=models.Q(status="open"),
                name="retention_one_open_review_per_item",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="retained")
                | (models.Q(retain_until__isnull=False) & ~models.Q(reason="")),
                name="retention_retained_has_reason_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of item {self.item_id} ({self.get_status_display()})"


class ItemRetention(models.Model):
    """An item the holding agency decided to keep beyond its schedule: not due again until this date."""

    item_id = models.UUIDField(primary_key=True)
    retain_until = models.DateField()
    review = models.ForeignKey(RetentionReview, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Item {self.item_id} retained until {self.retain_until}"


class LegalHold(models.Model):
    """A hold on a person (every agency's items about them) or one item: nothing under it is disposed.

    Litigation, an inquiry, a complaint or a subject access request in progress: the information must
    survive until the hold is lifted, whatever its schedule says.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    item_id = models.UUIDField(null=True, blank=True)
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placing_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["item_id"]), models.Index(fields=["lifted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, item_id__isnull=True)
                | models.Q(person__isnull=True, item_id__isnull=False),
                name="legal_hold_on_a_person_or_an_item",
            )
        ]

    def __str__(self) -> str:
        what = f"person {self.person_id}" if self.person_id else f"item {self.item_id}"
        return f"Legal hold on {what}{' (lifted)' if self.lifted_at else ''}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AnonymisedCount(models.Model):
    """What remains of anonymised items: how many of a kind there were, and nothing about whom."""

    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    recorded_year = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["holding_agency", "category", "recorded_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["holding_agency", "category", "recorded_year"], name="anonymised_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.category} items from {self.recorded_year} ({self.holding_agency})"


class SweepOutcome(models.TextChoices):
    DISPOSED = "disposed", "Disposed of"
    ANONYMISED = "anonymised", "Anonymised"
    HELD = "held", "Kept under a legal hold"


class SweepRun(models.Model):
    """What one retention sweep did on its own, without a person deciding: kept so the retention hub
    can show it. Counts only; which items is on the ledger (one disposal certificate each)."""

    day = models.DateField(help_text="The day the sweep found what was due on.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True, help_text="Empty if the run was stopped.")
    found = models.PositiveIntegerField(default=0)
    queued_for_review = models.PositiveIntegerField(default=0)
    disposed = models.PositiveIntegerField(default=0)
    anonymised = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    stopping_holds = models.ManyToManyField(
        LegalHold, blank=True, related_name="+", help_text="Legal holds that stopped a disposal this run."
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Retention sweep of {self.day}"


class SweepTally(models.Model):
    """How many items of one kind, held by one agency, one sweep disposed of, anonymised or kept."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="tallies")
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=SweepOutcome.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "holding_agency", "category", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "holding_agency", "category", "outcome"], name="sweep_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.category} items of {self.holding_agency}: {self.get_outcome_display()}"
