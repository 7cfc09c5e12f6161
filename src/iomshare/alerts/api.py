"""The event feed for systems that poll: `GET /api/v1/events?after=<cursor>`.

Thin events (type, ids, time), each only if the caller's door lets it know of them, each shown one on
the ledger; the caller follows up with an authenticated read (which the door decides again).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from iomshare.alerts.fanout import standing_purpose
from iomshare.alerts.models import CohortEvent, EventKind
from iomshare.kit.api import PROBLEMS, caller
from iomshare.records.selectors import alert_for

router = Router(tags=["events"])
SCAN = 500


class EventOut(Schema):
    id: int = Field(description="The event's position in the feed.")
    type: str = Field(description="cohort.<kind>, e.g. cohort.release or cohort.missed_appointment.")
    occurred_at: dt.datetime
    person_id: str
    item_id: str | None = Field(None, description="Present when you may see the item or know it exists.")
    item_visible: bool | None = Field(None, description="Whether a read for risk management would show it.")


class FeedOut(Schema):
    events: list[EventOut]
    next_cursor: int = Field(description="Pass as `after` to read on; the same value means nothing new yet.")


class FeedParams(Schema):
    after: int = Field(0, ge=0, description="The cursor: events after this one.")
    limit: int = Field(100, ge=1, le=100)


@router.get("/events", response={200: FeedOut, **PROBLEMS}, url_name="events")
def events(request: HttpRequest, params: Query[FeedParams]):
    """Cohort events after `after`, oldest first, filtered by what your door shows."""
    by = caller(request)
    shown: list[dict] = []
    cursor = params.after
    for event in CohortEvent.objects.filter(pk__gt=params.after).order_by("pk")[:SCAN]:
        cursor = event.pk
        seen = alert_for(
            by,
            person_id=event.person_id,
            item_id=event.item_id,
            purpose=standing_purpose(),
            details={"event_id": event.pk, "event": event.kind, "channel": "feed"},
        )
        if not seen.may_know_person or (event.item_id and seen.item is None and seen.withheld_agency is None):
            continue
        # Where the item is withheld, its kind could betray its content: say only that there is something new.
        kind = event.kind if seen.item is not None or not event.item_id else EventKind.NEW_INFORMATION
        out = {
            "id": event.pk,
            "type": f"cohort.{kind}",
            "occurred_at": event.occurred_at,
            "person_id": str(event.person_id),
        }
        if event.item_id:
            out |= {"item_id": str(event.item_id), "item_visible": seen.item is not None}
        shown.append(out)
        if len(shown) >= params.limit:
            break
    return {"events": shown, "next_cursor": cursor}
