"""The sharing decision as one database condition: what the door (records.selectors) reads with.

`grid_filter` matches exactly the items an AccessGrid grants; `own_items_filter` the viewer's own
agency's items up to their vetting, for reads before a purpose is declared.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from iomshare import plain_sql as sql
from iomshare.partnership.models import StaffMember
from iomshare.protocols.decisions import TOP_SENSITIVITY, AccessGrid
from iomshare.protocols.rules import cleared_sensitivity
from iomshare.records.models import InformationItem


def grid_filter(grid: AccessGrid) -> Q:
    """One condition over InformationItem fields that matches exactly what the grid grants.

    Written as SQL over the item columns, unqualified (so it also reads right inside a subquery): it
    is built for every read of a person, and as a tree of ORM lookups it cost more to build than
    the query took to run. One term for own items, one per (holding agency, highest sensitivity).
    """
    column = _item_column_sql(connection.vendor)
    terms: list[str] = []
    params: list[int] = []
    # Own items: every category at one level, the viewer's vetting (see compute_grid).
    own_level = max(
        (g.max_sensitivity for g in grid.grants.values() if g.holding_agency_id == grid.viewer_agency_id),
        default=0,
    )
    if own_level >= TOP_SENSITIVITY:
        terms.append(f"{column['holding_agency']} = %s")
        params.append(grid.viewer_agency_id)
    elif own_level > 0:
        terms.append(f"({column['holding_agency']} = %s AND {column['sensitivity']} <= %s)")
        params += [grid.viewer_agency_id, own_level]
    grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
    for grant in grid.grants.values():
        if grant.holding_agency_id != grid.viewer_agency_id:
            grouped[(grant.holding_agency_id, grant.max_sensitivity)].append(grant.category_id)
    for (agency_id, max_sensitivity), category_ids in sorted(grouped.items()):
        terms.append(
            f"({column['holding_agency']} = %s AND {column['category']} IN ({', '.join(['%s'] * len(category_ids))})"
            f" AND {column['sensitivity']} <= %s)"
        )
        params += [agency_id, *sorted(category_ids), max_sensitivity]
    if not terms:
        return Q(pk__in=[])
    # Column names come from the model and every value is a parameter.
    return Q(RawSQL(f"({' OR '.join(terms)})", params, output_field=BooleanField()))  # noqa: S611


@lru_cache(maxsize=2)
def _item_column_sql(vendor: str) -> dict[str, str]:
    """The item columns the condition names, quoted once per database vendor."""
    return {name: sql.column(InformationItem, name) for name in ("holding_agency", "category", "sensitivity")}


def own_items_filter(viewer: StaffMember, *, on: dt.date | None = None) -> Q:
    """The viewer's own agency's items up to their vetting: for reads before a purpose is declared."""
    cleared = min(cleared_sensitivity(viewer.vetting_on(on), role=viewer.role), TOP_SENSITIVITY)
    if cleared >= TOP_SENSITIVITY:
        return Q(holding_agency_id=viewer.agency_id)
    return Q(holding_agency_id=viewer.agency_id, sensitivity__lte=cleared)
