"""Cohort changes become events in the outbox, in the change's own transaction (people.signals)."""

from __future__ import annotations

from typing import Any

from iomshare.alerts import outbox
from iomshare.alerts.models import EventKind
from iomshare.people.models import CohortChange, CohortChangeKind

# Which cohort changes the people around a person are told of. A referral and its decline concern the
# selection panel, who see them on their own pages; a review date is the lead agency's housekeeping.
EVENT_OF_CHANGE: dict[str, EventKind] = {
    CohortChangeKind.ACCEPTED: EventKind.COHORT_CHANGE,
    CohortChangeKind.TIER_CHANGED: EventKind.COHORT_CHANGE,
    CohortChangeKind.LEFT: EventKind.COHORT_CHANGE,
    CohortChangeKind.KEY_WORKER_ASSIGNED: EventKind.KEY_WORKER_CHANGE,
    CohortChangeKind.KEY_WORKER_REMOVED: EventKind.KEY_WORKER_CHANGE,
}


def write_cohort_event(sender: Any, *, change: CohortChange, **_: Any) -> None:
    kind = EVENT_OF_CHANGE.get(change.kind)
    if kind is None:
        return
    # Ids and codes only, as for every event: the alert is written later, through the door.
    outbox.event(
        kind,
        person_id=change.person_id,
        agency_id=change.by.agency_id if change.by else None,
        by_id=change.by_id,
        change=change.kind,
    )
