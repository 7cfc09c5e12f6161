"""Questions 4 to 7 of the health check: recording, retention, standard forms, terminology.

Counts and aggregates only; item counts come from records.selectors (the one door), due items from
retention.due (ids and dates only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse

from iomshare.exchange.models import ImportRun, RunStatus
from iomshare.governance.charts import bar_chart
from iomshare.governance.health.types import Figure, Link, Section, Table, Verdict, percent
from iomshare.partnership.models import Agency
from iomshare.people.models import CohortMembership
from iomshare.records import selectors as records
from iomshare.retention import due
from iomshare.retention.models import LegalHold, RetentionReview, RetentionSchedule, ReviewStatus
from iomshare.vocabulary import selectors as vocabulary

NO_CONTACT = dt.timedelta(days=28)
YEAR = dt.timedelta(days=365)
REVIEW_BACKLOG_DAYS = 30  # an open retention review older than this is a backlog
STANDARD_FORM_TARGET = 80.0  # percent of live items on a standard form
REJECTION_LIMIT = 10.0  # percent of import rows rejected


def recording(today: dt.date) -> Section:
    """Question 4, in part: cohort members with no contact recorded in the last 28 days."""
    current = CohortMembership.objects.current(today)
    cutoff = today - NO_CONTACT
    counts = current.aggregate(
        members=Count("person", distinct=True),
        no_contact=Count(
            "person",
            filter=Q(person__retention_dates__isnull=True)
            | Q(person__retention_dates__last_contact_on__isnull=True)
            | Q(person__retention_dates__last_contact_on__lt=cutoff),
            distinct=True,
        ),
    )
    return Section(
        number=4,
        slug="recording",
        question="Do co-located teams record what they share, systematically?",
        verdict=Verdict.ATTENTION if counts["no_contact"] else Verdict.GOOD,
        summary=f"{counts['no_contact']} of {counts['members']} cohort members have no contact recorded in 28 days.",
        figures=[
            Figure("recording.cohort_members", "Current cohort members", counts["members"]),
            Figure(
                "recording.no_contact_28_days",
                "Of them, with no contact recorded in 28 days",
                counts["no_contact"],
            ),
        ],
        links=[Link("The cohort dashboard", reverse("people:dashboard"))],
        not_answered="Items, contacts and informal-exchange records per agency and per key worker each month: "
        "informal exchanges are not recorded in the hub yet. The last contact is as of the latest retention "
        "sweep (daily).",
        trend_key="recording.no_contact_28_days",
    )


def retention(today: dt.date) -> Section:
    """Question 5: schedules, items past due, the review backlog and its age, disposals and holds."""
    schedules = due.Schedules()
    past_due = due.due_queryset(today, schedules)
    open_reviews = RetentionReview.objects.filter(status=ReviewStatus.OPEN)
    backlog_cutoff = today - dt.timedelta(days=REVIEW_BACKLOG_DAYS)
    by_agency: list[dict[str, Any]] = [
        dict(row)
        for row in (
            open_reviews.values("holding_agency__name")
            .annotate(
                open=Count("id"),
                old=Count("id", filter=Q(opened_on__lt=backlog_cutoff)),
                oldest=Min("due_on"),
            )
            .order_by("holding_agency__name")
        )
    ]
    for row in by_agency:
        row["oldest_days"] = (today - row["oldest"]).days
    disposed_items = sum(counts["disposed"] for counts in records.item_counts_by_agency().values())
    figures = [
        Figure("retention.schedules", "Retention schedules", len(schedules.all)),
        Figure(
            "retention.agency_schedules",
            "Of them, an agency's own",
            sum(1 for schedule in schedules.all if schedule.holding_agency_id),
        ),
        Figure(
            "retention.items_past_due",
            "Items past their retention and not yet dealt with",
            past_due.count() if past_due is not None else 0,
        ),
        Figure(
            "retention.open_reviews",
            "Retention reviews waiting for a decision",
            sum(r["open"] for r in by_agency),
        ),
        Figure(
            "retention.reviews_older_than_30_days",
            f"Of them, waiting more than {REVIEW_BACKLOG_DAYS} days",
            sum(r["old"] for r in by_agency),
        ),
        Figure(
            "retention.oldest_review_days",
            "Oldest review, days since the item fell due",
            max((r["oldest_days"] for r in by_agency), default=0),
            " days",
        ),
        Figure(
            "retention.disposed_12_months",
            "Reviews ending in disposal (12 months)",
            RetentionReview.objects.filter(
                status=ReviewStatus.DISPOSED, decided_at__date__gte=today - YEAR
            ).count(),
        ),
        Figure("retention.items_disposed", "Items disposed of (all time)", disposed_items),
        Figure(
            "retention.holds",
            "Legal holds in force",
            LegalHold.objects.filter(lifted_at__isnull=True).count(),
        ),
    ]
    attention = figures[2].value or figures[4].value
    return Section(
        number=5,
        slug="retention",
        question="Do we keep information no longer than we need it?",
        verdict=Verdict.ATTENTION if attention else Verdict.GOOD,
        summary=(
            f"{figures[2].shown} items past their retention not yet dealt with; {figures[3].shown} reviews "
            f"waiting, {figures[4].shown} for more than {REVIEW_BACKLOG_DAYS} days."
        ),
        figures=figures,
        tables=[
            Table(
                "retention.reviews_by_agency",
                "Retention reviews waiting for a decision, by holding agency",
                ["Holding agency", "Waiting", f"More than {REVIEW_BACKLOG_DAYS} days", "Oldest (days)"],
                [[r["holding_agency__name"], r["open"], r["old"], r["oldest_days"]] for r in by_agency],
            ),
            Table(
                "retention.schedules_by_agency",
                "Retention schedules by agency (the partnership default applies where an agency has none)",
                ["Agency", "Schedules"],
                [
                    [row["holding_agency__name"] or "Partnership default", row["n"]]
                    for row in RetentionSchedule.objects.values("holding_agency__name")
                    .annotate(n=Count("id"))
                    .order_by("holding_agency__name")
                ],
            ),
        ],
        chart=bar_chart(
            [r["holding_agency__name"] for r in by_agency],
            [
                ("Waiting", [r["open"] for r in by_agency]),
                (f"More than {REVIEW_BACKLOG_DAYS} days", [r["old"] for r in by_agency]),
            ],
            title="Retention reviews waiting, by holding agency",
        )
        if by_agency
        else None,
        links=[
            Link("Retention", reverse("retention:overview")),
            Link("Legal holds", reverse("retention:holds")),
            Link("Retention schedules", reverse("retention:schedules")),
        ],
        trend_key="retention.open_reviews",
    )


def standard_forms(today: dt.date) -> Section:
    """Question 6: the share of items on a standard form by agency; imports and their rejection rates."""
    names = dict(Agency.objects.values_list("id", "name"))
    items = sorted(
        (
            (names.get(agency_id, "?"), counts)
            for agency_id, counts in records.item_counts_by_agency().items()
        ),
        key=lambda pair: pair[0],
    )
    live = sum(counts["live"] for _, counts in items)
    on_form = sum(counts["on_form"] for _, counts in items)
    imports = list(
        ImportRun.objects.filter(created_at__date__gte=today - YEAR, status=RunStatus.IMPORTED)
        .values("profile__agency__name")
        .annotate(runs=Count("id"), read=Sum("rows_read"), rejected=Sum("rows_rejected"))
        .order_by("profile__agency__name")
    )
    read = sum(row["read"] or 0 for row in imports)
    rejected = sum(row["rejected"] or 0 for row in imports)
    share = percent(on_form, live)
    rejection = percent(rejected, read)
    figures = [
        Figure("forms.live_items", "Live items", live),
        Figure("forms.on_standard_form", "Of them, recorded on a standard form", on_form),
        Figure("forms.share_on_standard_form", "Share on a standard form", share, "%"),
        Figure("forms.imports_12_months", "Imports (12 months)", sum(row["runs"] for row in imports)),
        Figure("forms.import_rows_12_months", "Rows read by imports (12 months)", read),
        Figure(
            "forms.import_rejection_rate_12_months",
            "Share of import rows rejected (12 months)",
            rejection,
            "%",
        ),
    ]
    attention = (share is not None and share < STANDARD_FORM_TARGET) or (rejection or 0) > REJECTION_LIMIT
    shares = [percent(counts["on_form"], counts["live"]) or 0.0 for _, counts in items]
    return Section(
        number=6,
        slug="standard-forms",
        question="Do we record on standard forms, with inputs and outputs every partner can use?",
        verdict=Verdict.ATTENTION if attention else Verdict.GOOD,
        summary=f"{figures[2].shown} of live items are on a standard form; {figures[5].shown} of import rows rejected.",
        figures=figures,
        tables=[
            Table(
                "forms.by_agency",
                "Live items on a standard form, by holding agency",
                ["Holding agency", "Live items", "On a standard form", "Share (%)"],
                [
                    [name, c["live"], c["on_form"], share]
                    for (name, c), share in zip(items, shares, strict=True)
                ],
            ),
            Table(
                "forms.imports_by_agency",
                "Imports in the last 12 months, by agency",
                ["Agency", "Imports", "Rows read", "Rows rejected", "Rejected (%)"],
                [
                    [
                        row["profile__agency__name"],
                        row["runs"],
                        row["read"] or 0,
                        row["rejected"] or 0,
                        percent(row["rejected"] or 0, row["read"] or 0) or 0.0,
                    ]
                    for row in imports
                ],
            ),
        ],
        chart=bar_chart(
            [name for name, _ in items],
            [("Share on a standard form (%)", shares)],
            title="Share of live items on a standard form, by holding agency (%)",
            percent=True,
        )
        if items
        else None,
        links=[
            Link("Standard forms", reverse("forms:index")),
            Link("Imports and exports", reverse("exchange:imports")),
        ],
        not_answered=f"Good means at least {STANDARD_FORM_TARGET:g}% on a standard form and at most "
        f"{REJECTION_LIMIT:g}% of import rows rejected.",
        trend_key="forms.share_on_standard_form",
    )


def terminology(today: dt.date) -> Section:
    """Question 7: the live vocabulary conflicts."""
    found = vocabulary.conflicts()
    return Section(
        number=7,
        slug="terminology",
        question="Do we mean the same thing when we use the same word?",
        verdict=Verdict.ATTENTION if found.count else Verdict.GOOD,
        summary=f"{found.count} vocabulary conflicts to settle.",
        figures=[
            Figure("terminology.conflicts", "Vocabulary conflicts", found.count),
            Figure(
                "terminology.ambiguous_mappings",
                "Local codes mapped to two or more concepts",
                len(found.ambiguous),
            ),
            Figure(
                "terminology.shared_word_clashes",
                "Codes agencies use for different concepts",
                len(found.clashes),
            ),
            Figure("terminology.unmapped_codes", "Local codes refused because they map to nothing", None),
        ],
        links=[Link("Vocabulary conflicts", reverse("vocabulary:conflicts"))],
        not_answered="Unmapped local codes are refused at import (each import lists them as problems) but not "
        "counted across imports yet.",
        trend_key="terminology.conflicts",
    )
