"""Why a viewer may see an item: the sight a read is made with (the grid, the record-level rules,
one-off disclosures), the basis each item shown rests on, and the disclosure entry every read writes.
Part of the one door (records.selectors)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from iomshare.errors import NotFound, NotPermitted
from iomshare.information_requests.selectors import approved_item_ids
from iomshare.ledger import services as ledger
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people.access_lists import may_see_person
from iomshare.protocols import consent
from iomshare.protocols.decisions import AccessGrid, Grant, access_grid
from iomshare.protocols.rules import ViewerFacts
from iomshare.records.models import (
    Category,
    HandlingCode,
    InformationItem,
    InformationItemQuerySet,
)
from iomshare.records.selectors.grid import grid_filter

# --- why a viewer may see an item -----------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """What allows the viewer to see one item: their own agency, a protocol clause, or a one-off."""

    kind: str  # "own", "clause" or "one_off"
    label: str  # shown beside the item
    clause_id: str = ""
    request_id: int | None = None
    redacted_fields: tuple[str, ...] = ()

    @property
    def is_own(self) -> bool:
        return self.kind == "own"


OWN_BASIS = Basis("own", "Your agency's own record")


@dataclass(frozen=True)
class Withheld:
    """Items the viewer may not see for this purpose but may be told exist, and why not."""

    holding_agency: Agency
    category: Category
    count: int
    message: str
    reason: str


@dataclass(frozen=True)
class Sight:
    """What one viewer may see about one person for one purpose (None: own agency only), today."""

    viewer: StaffMember
    purpose: str | None
    grid: AccessGrid | None
    one_off: dict[uuid.UUID, int]  # item id -> approved request id
    condition: Q

    def basis_for(self, item: InformationItem) -> Basis:
        if item.holding_agency_id == self.viewer.agency_id:
            return OWN_BASIS
        grant: Grant | None = (
            self.grid.grant_for(item.holding_agency_id, item.category.code) if self.grid else None
        )
        if grant is not None and item.sensitivity <= grant.max_sensitivity:
            return Basis(
                "clause",
                grant.label,
                clause_id=grant.clause_id,
                redacted_fields=grant.redacted_fields,
            )
        request_id = self.one_off[item.pk]  # the query matched nothing else
        return Basis("one_off", f"One-off disclosure, request {request_id}", request_id=request_id)


def require_agency(viewer: StaffMember) -> None:
    if viewer.agency_id is None:
        raise NotPermitted("Your account is not linked to an agency, so it cannot see any information.")


def _record_level_rules(viewer: StaffMember) -> Q:
    """Rules on single items that no protocol overrides.

    Another agency's item leaves it only if its handling code allows onward sharing; a restricted
    item (accuracy disputed) is seen only by its holding agency's information-governance lead.
    """
    own = Q(holding_agency_id=viewer.agency_id)
    shareable = own | Q(handling_code=HandlingCode.SHAREABLE)
    if viewer.role == Role.IG_LEAD:
        unrestricted = Q(restricted_at__isnull=True) | own
    else:
        unrestricted = Q(restricted_at__isnull=True)
    return shareable & unrestricted


def own_agency_sight(viewer: StaffMember, day: dt.date) -> Sight:
    """Without a purpose: the viewer's own agency's items, up to what their vetting clears."""
    cleared = ViewerFacts.of(viewer, day).cleared_sensitivity
    own = Q(holding_agency_id=viewer.agency_id, sensitivity__lte=cleared)
    return Sight(viewer, None, None, {}, own & _record_level_rules(viewer))


def sight_from_grid(viewer: StaffMember, purpose: str, grid: AccessGrid, one_off: dict) -> Sight:
    """The grid's one condition, widened by one-off disclosures and narrowed by record-level rules."""
    condition = grid_filter(grid)
    if one_off:
        # A list of ids, not a subquery: one-off disclosures are few, and a subquery inside the one
        # query costs more to compile (twice: the page and its count) than a query of its own.
        condition |= Q(pk__in=list(one_off))
    return Sight(viewer, purpose, grid, one_off, condition & _record_level_rules(viewer))


def sight_for(viewer: StaffMember, person_id, purpose: str | None, *, on: dt.date | None = None) -> Sight:
    """The viewer's sight of one person: raises NotFound where an access list hides the person."""
    require_agency(viewer)
    if not may_see_person(viewer, person_id):
        raise NotFound("There is no such person that you may see.")
    day = on or timezone.localdate()
    if not purpose:
        return own_agency_sight(viewer, day)
    grid = access_grid(
        viewer,
        purpose,
        on=day,
        consented_sources=lambda: (
            consent.consented_sources(person_id, purpose, on=day)
            | consent.overridden_sources(viewer, person_id, purpose, on=day)
        ),
    )
    return sight_from_grid(viewer, purpose, grid, approved_item_ids(viewer, person_id, purpose, on=day))


def disclosed(sight: Sight, items: list[InformationItem]) -> list[InformationItem]:
    """Label each item with its basis and remove the fields its clause redacts."""
    for item in items:
        item.basis = sight.basis_for(item)
        if item.basis.redacted_fields and item.payload:
            item.show_redacted(_redact(item.payload, item.basis.redacted_fields))
    return items


def _redact(payload: dict, fields: tuple[str, ...]) -> dict:
    kept = {name: value for name, value in payload.items() if name not in fields}
    if isinstance(kept.get("answers"), dict):
        kept["answers"] = {name: value for name, value in kept["answers"].items() if name not in fields}
    kept["redacted"] = sorted(fields)
    return kept


def clauses_of(items: list[InformationItem]) -> list[str]:
    """The protocol clauses relied on for these items (one-off disclosures are named apart)."""
    return sorted({item.basis.clause_id for item in items if item.basis.clause_id})


def record_read(sight: Sight, person, items: list[InformationItem], **extra) -> None:
    clauses = clauses_of(items)
    requests = sorted({item.basis.request_id for item in items if item.basis.request_id})
    if requests:
        extra["one_off_requests"] = requests
    ledger.record_disclosure(
        viewer=sight.viewer, person=person, items=items, purpose=sight.purpose or "", clauses=clauses, **extra
    )


def person_items(sight: Sight, person) -> InformationItemQuerySet:
    return InformationItem.objects.live().filter(person=person).filter(sight.condition)
