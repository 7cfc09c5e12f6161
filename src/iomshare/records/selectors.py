"""The one door: every read of information-item content comes through here.

Web pages, the API, exports and reports call these functions so that the sharing rules (and, once
they exist, the ledger entry) cannot be skipped. Until protocol-enforced sharing exists, a viewer
sees their own agency's items only: never more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from iomshare.errors import NotPermitted
from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.records.models import InformationItem


@dataclass(frozen=True)
class Picture:
    """What one viewer may see about one person, newest first."""

    person: Person
    items: list[InformationItem]
    own_agency_counts: dict[str, int] = field(default_factory=dict)


def _visible_items(viewer: StaffMember):
    if viewer.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot see any information.")
    return InformationItem.objects.filter(holding_agency_id=viewer.agency_id).live()


def picture_for(viewer: StaffMember, person: Person, *, limit: int | None = None) -> Picture:
    """Everything `viewer` may see about `person`: today, their own agency's live items."""
    query = (
        _visible_items(viewer)
        .for_person(person)
        .select_related("holding_agency", "category", "author")
        .order_by("-recorded_at")
    )
    items = list(query[:limit] if limit else query)
    counts = dict(
        _visible_items(viewer).for_person(person).values_list("category__name").annotate(n=Count("id"))
    )
    return Picture(person=person, items=items, own_agency_counts=counts)


def item_for(viewer: StaffMember, item_id) -> InformationItem | None:
    """One item, if `viewer` may see it; None otherwise (never say whether it exists)."""
    return (
        _visible_items(viewer)
        .select_related("holding_agency", "category", "author", "person")
        .filter(id=item_id)
        .first()
    )
