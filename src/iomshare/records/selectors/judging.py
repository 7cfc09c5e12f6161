"""The door for an information-governance lead judging their own agency's item (issue 20).

To decide whether to keep an item past its retention period, or whether it is still accurate, the
holding agency's IG lead must read what it says. Nobody else reads it here: another agency's lead
(or anyone else) gets None and sees the item's metadata only. The read is a disclosure like any
other, on the ledger under the purpose of the judgement. Withdrawn items are still held until they
are disposed of, so their lead can read them to judge them; disposed items have no content left.
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from iomshare.ledger import services as ledger
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.access_lists import may_see_person
from iomshare.protocols.rules import ViewerFacts
from iomshare.records.models import InformationItem, ItemStatus
from iomshare.records.selectors.sight import OWN_BASIS

# The purposes a judgement is recorded under on the ledger (shown there as "retention review" and
# "accuracy check").
RETENTION_REVIEW = "retention_review"
ACCURACY_CHECK = "accuracy_check"
JUDGING_PURPOSES = (RETENTION_REVIEW, ACCURACY_CHECK)


def item_to_judge(viewer: StaffMember, item_id: uuid.UUID | str, *, purpose: str) -> InformationItem | None:
    """The item with its content if `viewer` is its holding agency's IG lead, cleared for its
    sensitivity, and may see its person; None otherwise. A disclosure entry for `purpose`."""
    if purpose not in JUDGING_PURPOSES:
        raise ValueError(f"not a purpose for judging an item: {purpose!r}")
    if viewer.role != Role.IG_LEAD or viewer.agency_id is None:
        return None
    cleared = ViewerFacts.of(viewer, timezone.localdate()).cleared_sensitivity
    item = (
        InformationItem.objects.filter(
            pk=item_id,
            holding_agency_id=viewer.agency_id,
            status__in=(ItemStatus.LIVE, ItemStatus.WITHDRAWN),
            sensitivity__lte=cleared,
        )
        .select_related("holding_agency", "category", "author", "person")
        .first()
    )
    if item is None or not may_see_person(viewer, item.person_id):
        return None
    item.basis = OWN_BASIS  # as the door marks what it shows
    ledger.record_disclosure(viewer=viewer, person=item.person, items=[item], purpose=purpose)
    return item
