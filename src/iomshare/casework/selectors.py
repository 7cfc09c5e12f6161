"""Reading actions for a viewer: only actions about people they may know (people.visibility), and a
volunteer only the actions they own or raised."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from iomshare.casework.models import Action, ActionChange, ActionStatus
from iomshare.partnership.models import Role, StaffMember
from iomshare.people import visibility

# Who reads an agency's overdue list: those who manage its work.
OVERDUE_LIST_ROLES = frozenset({Role.IG_LEAD, Role.PARTNERSHIP_MANAGER})


def visible_actions(viewer: StaffMember) -> QuerySet[Action]:
    """Every action `viewer` may see, as one lazy query."""
    if getattr(viewer, "agency_id", None) is None:
        return Action.objects.none()
    actions = Action.objects.filter(person__in=visibility.known_people(viewer).values("pk"))
    if visibility.is_volunteer(viewer):
        actions = actions.filter(Q(owner=viewer) | Q(raised_by=viewer))
    return actions.select_related("person", "owner", "owning_agency", "raised_by", "raising_agency")


def _mine(viewer: StaffMember) -> Q:
    """Owned by the viewer, or (not volunteers) by their agency with nobody named."""
    mine = Q(owner=viewer)
    if not visibility.is_volunteer(viewer):
        mine |= Q(owner__isnull=True, owning_agency_id=viewer.agency_id)
    return mine


def my_actions(viewer: StaffMember, *, status: str = ActionStatus.OPEN) -> QuerySet[Action]:
    """The viewer's actions in `status` ("" for all), soonest due first."""
    actions = visible_actions(viewer).filter(_mine(viewer))
    if status:
        actions = actions.filter(status=status)
    return actions.order_by("due_on", "id")


def may_read_overdue_list(viewer: StaffMember) -> bool:
    return (
        getattr(viewer, "agency_id", None) is not None
        and viewer.role in OVERDUE_LIST_ROLES
        and not visibility.is_volunteer(viewer)
    )


def overdue_for_agency(viewer: StaffMember, *, today: dt.date | None = None) -> QuerySet[Action]:
    """Open actions the viewer's agency owns that are past their due date, most overdue first."""
    if not may_read_overdue_list(viewer):
        return Action.objects.none()
    today = today or timezone.localdate()
    return (
        visible_actions(viewer)
        .filter(owning_agency_id=viewer.agency_id, status=ActionStatus.OPEN, due_on__lt=today)
        .order_by("due_on", "id")
    )


def open_actions_about(viewer: StaffMember, person_id) -> list[Action]:
    """Open actions about a person, for their summary (the viewer may already know the person).

    `visible_actions` narrowed to one person, whose knowability is one `may_know` check (a plain
    query for most) rather than the whole "known people" condition compiled into the read."""
    if getattr(viewer, "agency_id", None) is None or not visibility.may_know(viewer, person_id):
        return []
    actions = Action.objects.filter(person_id=person_id, status=ActionStatus.OPEN)
    if visibility.is_volunteer(viewer):
        actions = actions.filter(Q(owner=viewer) | Q(raised_by=viewer))
    return list(
        actions.select_related("person", "owner", "owning_agency", "raised_by", "raising_agency")[:50]
    )


def action_for(viewer: StaffMember, action_id: int) -> Action | None:
    """One action, or None if absent or not the viewer's to see (callers answer as for nobody)."""
    return visible_actions(viewer).filter(pk=action_id).first()


def history_of(action: Action) -> list[ActionChange]:
    return list(action.changes.select_related("by__agency"))
