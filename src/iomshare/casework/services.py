"""Business actions on actions: raise one, mark it done, cancel it, reopen it, change its due date or owner.

Only staff who may know the person (people.visibility) may raise an action about them, and an owner
must be someone who may know the person too. Every change is kept as an ActionChange (the history)
and is on the ledger as case work. Bad input raises InvalidInput naming each field, and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from iomshare.casework.models import Action, ActionChange, ActionChangeKind, ActionStatus, RaisedFrom
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.information_requests.models import InformationRequest
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action as LedgerAction
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people import visibility
from iomshare.people.models import Person

RAISER_ROLES = frozenset(
    {Role.PRACTITIONER, Role.VOLUNTEER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.SYSTEM}
)
OWNER_ROLES = frozenset({Role.PRACTITIONER, Role.VOLUNTEER, Role.IG_LEAD, Role.PARTNERSHIP_MANAGER})
MIN_TEXT = 10
MAX_TEXT = 2000
MAX_AHEAD = dt.timedelta(days=366)


def _history(
    action: Action, kind: str, *, by: StaffMember | None, note: str = "", **before: object
) -> ActionChange:
    change = ActionChange.objects.create(action=action, kind=kind, by=by, note=note)
    ledger.record(
        LedgerAction.CASE_WORK,
        by=by,
        person=action.person_id,
        details={
            "action": action.pk,
            "change": kind,
            "status": action.status,
            "due_on": action.due_on.isoformat(),
            "owner": action.owner.username if action.owner is not None else "",
            "owning_agency": action.owning_agency.code,
            "raised_from": action.raised_from,
            "meeting": action.meeting_id,
            "request": action.information_request_id,
            **{f"previous_{name}": value for name, value in before.items()},
        },
    )
    return change


def _text_error(text: str, what: str) -> str | None:
    if not text:
        return f"Enter {what}"
    if len(text) < MIN_TEXT:
        return f"Describe {what} in at least {MIN_TEXT} characters"
    if len(text) > MAX_TEXT:
        return f"Keep {what} to {MAX_TEXT} characters or fewer"
    return None


def _check_raiser(by: StaffMember, person: Person) -> None:
    if getattr(by, "agency_id", None) is None or by.role not in RAISER_ROLES or not by.is_active:
        raise NotPermitted("Only staff of a partner agency can raise an action about a person.")
    if not visibility.may_know(by, person.pk):
        raise NotFound("There is no such person that you may see.")


def _owner_errors(person: Person, owner: StaffMember | None, agency: Agency | None) -> dict[str, str]:
    if owner is None and agency is None:
        return {"owner": "Choose who owns the action: a member of staff, or an agency"}
    if owner is None:
        return {}
    if not owner.is_active or owner.role not in OWNER_ROLES or owner.agency_id is None:
        return {"owner": f"{owner} cannot own actions: choose a member of a partner agency's staff"}
    if agency is not None and agency.pk != owner.agency_id:
        assert owner.agency is not None  # its id was checked above
        return {"owner": f"{owner} works for {owner.agency.name}, not {agency.name}"}
    if not visibility.may_know(owner, person.pk):
        return {"owner": f"{owner} may not know about {person.full_name}: choose someone who may"}
    return {}


def _owning_agency_id(owner: StaffMember | None, agency: Agency | None) -> int:
    """The agency an action belongs to: its owner's, else the one named."""
    agency_id = owner.agency_id if owner is not None else agency.pk if agency is not None else None
    assert agency_id is not None  # _owner_errors asks for one or the other, and an owner of an agency
    return agency_id


def _due_errors(due_on: dt.date | None) -> dict[str, str]:
    today = timezone.localdate()
    if due_on is None:
        return {"due_on": "Enter the date the action is due"}
    if due_on < today:
        return {"due_on": "The due date must be today or in the future"}
    if due_on > today + MAX_AHEAD:
        return {"due_on": "The due date must be within a year"}
    return {}


def check_action(  # noqa: PLR0913 (the action's facts, each a keyword named at every call)
    *,
    by: StaffMember,
    person: Person,
    description: str,
    due_on: dt.date | None,
    owner: StaffMember | None = None,
    owning_agency: Agency | None = None,
    raised_from: str = RaisedFrom.PERSON_PAGE,
    information_request: InformationRequest | None = None,
    meeting=None,
) -> str:
    """Raise unless `by` may raise this action; the description, tidied."""
    _check_raiser(by, person)
    description = (description or "").strip()
    errors: dict[str, str] = {}
    if problem := _text_error(description, "what is to be done"):
        errors["description"] = problem
    errors |= _owner_errors(person, owner, owning_agency)
    errors |= _due_errors(due_on)
    if raised_from not in RaisedFrom.values:
        errors["raised_from"] = "Say where the action was raised: person, meeting, request or api"
    if information_request is not None and (
        information_request.person_id != person.pk
        or by.agency_id
        not in {information_request.requesting_agency_id, information_request.holding_agency_id}
    ):
        errors["information_request"] = (
            "Choose a request for information about this person that your agency is part of"
        )
    if (
        meeting is not None
        and by.pk != meeting.created_by_id
        and not meeting.attendees.filter(staff=by).exists()
    ):
        raise NotPermitted("Only the meeting's attendees raise actions from it.")
    if meeting is not None and not meeting.agenda.filter(person=person).exists():
        errors["meeting"] = f"{person.full_name} is not on the meeting's agenda"
    if errors:
        raise InvalidInput("The action was not raised: correct the problems listed.", field_errors=errors)
    return description


@transaction.atomic
def raise_action(  # noqa: PLR0913 (the action's facts, each a keyword named at every call)
    *,
    by: StaffMember,
    person: Person,
    description: str,
    due_on: dt.date | None,
    owner: StaffMember | None = None,
    owning_agency: Agency | None = None,
    raised_from: str = RaisedFrom.PERSON_PAGE,
    information_request: InformationRequest | None = None,
    meeting=None,
) -> Action:
    """Raise an action about `person`, owned by a member of staff or (nobody named yet) an agency."""
    description = check_action(
        by=by,
        person=person,
        description=description,
        due_on=due_on,
        owner=owner,
        owning_agency=owning_agency,
        raised_from=raised_from,
        information_request=information_request,
        meeting=meeting,
    )
    assert due_on is not None  # checked above
    assert by.agency_id is not None  # _check_raiser refuses a member of no agency
    action = Action.objects.create(
        person=person,
        description=description,
        owner=owner,
        owning_agency_id=_owning_agency_id(owner, owning_agency),
        due_on=due_on,
        raised_by=by,
        raising_agency_id=by.agency_id,
        raised_from=raised_from,
        information_request=information_request,
        meeting=meeting,
    )
    _history(action, ActionChangeKind.RAISED, by=by)
    return action


def may_change(viewer: StaffMember, action: Action) -> bool:
    """The owner, the raiser, staff (not volunteers) of the owning agency, or a partnership manager,
    each only while they may know the person."""
    if not getattr(viewer, "is_authenticated", False) or getattr(viewer, "agency_id", None) is None:
        return False
    allowed = (
        viewer.pk in {action.owner_id, action.raised_by_id}
        or (viewer.agency_id == action.owning_agency_id and not visibility.is_volunteer(viewer))
        or (viewer.role == Role.PARTNERSHIP_MANAGER and not visibility.is_volunteer(viewer))
    )
    return allowed and visibility.may_know(viewer, action.person_id)


NEW_STATUS_CHANGE = {
    ActionStatus.DONE: ActionChangeKind.DONE,
    ActionStatus.CANCELLED: ActionChangeKind.CANCELLED,
    ActionStatus.OPEN: ActionChangeKind.REOPENED,
}


@transaction.atomic
def change_status(action: Action, *, status: str, note: str = "", by: StaffMember) -> Action:
    """Mark an action done, cancel it (with a reason), or reopen it; each change is history."""
    if not may_change(by, action):
        raise NotPermitted("Only the action's owner, its raiser or the owning agency can change it.")
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("owner", "owning_agency")
        .get(pk=action.pk)
    )
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = "Choose done, cancelled or open"
    elif status == action.status:
        errors["status"] = f"The action is already {action.get_status_display().lower()}"
    elif status == ActionStatus.CANCELLED and (problem := _text_error(note, "why it is cancelled")):
        errors["note"] = problem
    elif len(note) > MAX_TEXT:
        errors["note"] = f"Keep the note to {MAX_TEXT} characters or fewer"
    if errors:
        raise InvalidInput("The action was not changed: correct the problems listed.", field_errors=errors)
    action.status = status
    action.closed_at = None if status == ActionStatus.OPEN else timezone.now()
    action.save(update_fields=["status", "closed_at"])
    _history(action, NEW_STATUS_CHANGE[ActionStatus(status)], by=by, note=note)
    return action


def may_replan(viewer: StaffMember, action: Action) -> bool:
    """The owner, the raiser or the chair of the meeting it came from, while it is open and they may
    know the person: those who agreed the date and owner are those who may move them."""
    if not getattr(viewer, "is_authenticated", False) or getattr(viewer, "agency_id", None) is None:
        return False
    deciders = {action.owner_id, action.raised_by_id}
    if action.meeting is not None:
        deciders.add(action.meeting.chair_id)
    return (
        action.status == ActionStatus.OPEN
        and viewer.pk in deciders
        and visibility.may_know(viewer, action.person_id)
    )


def _replan_kind(due_changed: bool, owner_changed: bool) -> str:
    if due_changed and owner_changed:
        return ActionChangeKind.REPLANNED
    return ActionChangeKind.DUE_DATE_CHANGED if due_changed else ActionChangeKind.OWNER_CHANGED


def _replan_note(action: Action, old_due: dt.date, old_owner: str, reason: str) -> str:
    lines = []
    if action.due_on != old_due:
        lines.append(f"Due date moved from {old_due:%-d %B %Y} to {action.due_on:%-d %B %Y}.")
    if action.owner_name != old_owner:
        lines.append(f"Owner changed from {old_owner} to {action.owner_name}.")
    return " ".join(lines) + f" Reason: {reason}"


def check_replan(
    action: Action,
    *,
    due_on: dt.date | None,
    owner: StaffMember | None,
    owning_agency: Agency | None = None,
    reason: str,
    by: StaffMember,
) -> tuple[str, bool, bool]:
    """Raise unless `by` may make this change; the reason tidied, and whether the due date and the
    owner change."""
    if not may_replan(by, action):
        raise NotPermitted(
            "Only the action's owner, its raiser or the chair of its meeting can change its due date or owner."
        )
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if problem := _text_error(reason, "why it is changed"):
        errors["reason"] = problem
    errors |= _due_errors(due_on) if due_on != action.due_on else {}
    errors |= _owner_errors(action.person, owner, owning_agency)
    new_agency_id = owner.agency_id if owner is not None else getattr(owning_agency, "pk", None)
    owner_changed = (getattr(owner, "pk", None), new_agency_id) != (action.owner_id, action.owning_agency_id)
    due_changed = due_on is not None and due_on != action.due_on
    if not errors and not (due_changed or owner_changed):
        errors["due_on"] = "Change the due date or the owner (both are as they were)"
    if errors:
        raise InvalidInput("The action was not changed: correct the problems listed.", field_errors=errors)
    return reason, due_changed, owner_changed


@transaction.atomic
def replan_action(
    action: Action,
    *,
    due_on: dt.date | None,
    owner: StaffMember | None,
    owning_agency: Agency | None = None,
    reason: str,
    by: StaffMember,
) -> Action:
    """Change an open action's due date, owner, or both, with the reason: history and the ledger.
    Reminders follow the new date (the dates already reminded for are cleared)."""
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("owner", "owning_agency", "person", "meeting")
        .get(pk=action.pk)
    )
    reason, due_changed, owner_changed = check_replan(
        action, due_on=due_on, owner=owner, owning_agency=owning_agency, reason=reason, by=by
    )
    new_agency_id = _owning_agency_id(owner, owning_agency)
    assert due_on is not None  # checked above
    old_due, old_owner = action.due_on, action.owner_name
    old_username = action.owner.username if action.owner is not None else ""
    old_agency = action.owning_agency.code
    action.due_on, action.owner, action.owning_agency_id = due_on, owner, new_agency_id
    if due_changed:
        action.reminded_before_on = action.reminded_due_on = None
    action.save(update_fields=["due_on", "owner", "owning_agency", "reminded_before_on", "reminded_due_on"])
    action.owning_agency = Agency.objects.get(pk=new_agency_id)
    _history(
        action,
        _replan_kind(due_changed, owner_changed),
        by=by,
        note=_replan_note(action, old_due, old_owner, reason),
        due_on=old_due.isoformat(),
        owner=old_username,
        owning_agency=old_agency,
    )
    return action
