"""Counts and metadata about items, never their content: the door's reads that name no item."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from iomshare.records.models import (
    InformationItem,
    ItemStatus,
)

# --- counts and metadata, never content -----------------------------------------------------------


def count_items_by_agency_category() -> dict[tuple[int, str, int], int]:
    """Live items per (holding agency id, category code, sensitivity): counts only, never content.

    For the protocol simulator, which shows how many items a draft would open or close.
    """
    rows = (
        InformationItem.objects.live()
        .values("holding_agency_id", "category__code", "sensitivity")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["holding_agency_id"], row["category__code"], row["sensitivity"]): row["n"] for row in rows}


def item_counts_by_agency() -> dict[int, dict[str, int]]:
    """Per holding agency id: items live, live on a standard form, and disposed of (counts only).

    For the partnership health check: one grouped query, never content.
    """
    live = Q(status=ItemStatus.LIVE)
    rows = (
        InformationItem.objects.values("holding_agency_id")
        .annotate(
            live=Count("id", filter=live),
            on_form=Count("id", filter=live & ~Q(form_code="")),
            disposed=Count("id", filter=Q(status=ItemStatus.DISPOSED)),
        )
        .order_by()
    )
    return {
        row["holding_agency_id"]: {key: row[key] for key in ("live", "on_form", "disposed")} for row in rows
    }


def holds_items_about(agency_id: int) -> Exists:
    """Whether an agency holds any item about the outer query's person (metadata, never content).

    A correlated EXISTS: one probe of the (person, holding agency) index per person, where an
    `IN (SELECT person_id ...)` would read every item the agency holds.
    """
    return Exists(InformationItem.objects.filter(person_id=OuterRef("pk"), holding_agency_id=agency_id))


def agency_holds_items_about(agency_id: int, person_id) -> bool:
    """Whether an agency holds any item about one person (metadata, never content)."""
    return InformationItem.objects.filter(person_id=person_id, holding_agency_id=agency_id).exists()
