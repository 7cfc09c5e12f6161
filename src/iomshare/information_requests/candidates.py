"""The items a holding agency's information-governance lead may choose from, read through the one door.

Kept apart from selectors.py because records.selectors imports that module (for one-off disclosures).
"""

from __future__ import annotations

from iomshare.information_requests.models import InformationRequest
from iomshare.partnership.models import StaffMember
from iomshare.records import selectors as records


def candidate_items(request: InformationRequest, *, by: StaffMember) -> list:
    """The live items of the requested category about the person that `by`'s agency holds.

    Read as `by` for no purpose (their own agency's items only), so the read is on the ledger.
    """
    picture = records.picture_for(by, request.person, purpose=None, category_id=request.category_id)
    return [
        item
        for item in picture.items
        if item.holding_agency_id == request.holding_agency_id and item.category_id == request.category_id
    ]
