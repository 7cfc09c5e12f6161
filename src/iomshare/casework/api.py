"""Actions through the machine API: list the caller's actions, raise one, change its status, its due
date or its owner.

The same services and rules as the web pages; a person or action hidden from the caller answers 404,
as if absent; bad input is a 422 problem naming each field, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from iomshare.casework import selectors, services
from iomshare.casework.models import Action, ActionStatus, RaisedFrom
from iomshare.errors import InvalidInput, NotFound
from iomshare.exchange.auth import caller
from iomshare.exchange.schemas import PROBLEMS
from iomshare.information_requests.models import InformationRequest
from iomshare.partnership.models import Agency, StaffMember
from iomshare.people import visibility
from iomshare.people.models import Person

router = Router(tags=["actions"])


class ActionIn(Schema):
    person: uuid.UUID = Field(description="The person the action is about.")
    description: str = Field(max_length=services.MAX_TEXT, description="What is to be done.")
    due_on: dt.date = Field(description="The day it is due (today or later, within a year).")
    owner: str = Field("", max_length=150, description="Username of the owner; or give owning_agency.")
    owning_agency: str = Field("", max_length=40, description="Agency code, when nobody is named yet.")
    information_request: int | None = Field(None, description="The request for information it came from.")


class StatusIn(Schema):
    status: str = Field(max_length=20, description="done, cancelled or open (reopen).")
    note: str = Field("", max_length=services.MAX_TEXT, description="Why (needed when cancelling).")


class ReplanIn(Schema):
    due_on: dt.date | None = Field(None, description="The new due date; leave out to keep it.")
    owner: str = Field("", max_length=150, description="Username of the new owner; or give owning_agency.")
    owning_agency: str = Field("", max_length=40, description="Agency code, to hand it to an agency.")
    reason: str = Field(
        max_length=services.MAX_TEXT, description="Why it is changed (at least 10 characters)."
    )


class ActionOut(Schema):
    id: int
    person: uuid.UUID
    description: str
    owner: str | None
    owning_agency: str
    due_on: dt.date
    status: str = Field(description="open, done or cancelled")
    is_overdue: bool
    raised_by: str
    raising_agency: str
    raised_at: dt.datetime
    raised_from: str
    meeting: int | None
    information_request: int | None


def _out(action: Action) -> dict:
    return {
        "id": action.pk,
        "person": action.person_id,
        "description": action.description,
        "owner": action.owner.username if action.owner is not None else None,
        "owning_agency": action.owning_agency.code,
        "due_on": action.due_on,
        "status": action.status,
        "is_overdue": action.is_overdue(),
        "raised_by": action.raised_by.username,
        "raising_agency": action.raising_agency.code,
        "raised_at": action.raised_at,
        "raised_from": action.raised_from,
        "meeting": action.meeting_id,
        "information_request": action.information_request_id,
    }


def _action(viewer: StaffMember, action_id: int) -> Action:
    found = selectors.action_for(viewer, action_id)
    if found is None:
        raise NotFound(f"There is no action {action_id} that you may see.")
    return found


@router.get("/actions", response={200: list[ActionOut], **PROBLEMS}, url_name="actions-mine")
def my_actions(request: HttpRequest, status: str = "open"):
    """The caller's actions (owned by them, or by their agency with nobody named): open by default."""
    if status not in {*ActionStatus.values, "all"}:
        raise InvalidInput("Unknown status.", field_errors={"status": "Choose open, done, cancelled or all"})
    found = selectors.my_actions(caller(request), status="" if status == "all" else status)
    return [_out(action) for action in found[:500]]


def _owner(payload: ActionIn | ReplanIn, outcome: str = "raised") -> tuple[StaffMember | None, Agency | None]:
    errors = {}
    owner = agency = None
    if payload.owner:
        owner = StaffMember.objects.filter(username=payload.owner).select_related("agency").first()
        if owner is None:
            errors["owner"] = f"There is no member of staff {payload.owner!r}"
    if payload.owning_agency:
        agency = Agency.objects.filter(code=payload.owning_agency).first()
        if agency is None:
            errors["owning_agency"] = f"There is no agency {payload.owning_agency!r}"
    if errors:
        raise InvalidInput(f"The action was not {outcome}: correct the problems listed.", field_errors=errors)
    return owner, agency


@router.post("/actions", response={201: ActionOut, **PROBLEMS}, url_name="actions-raise")
def raise_action(request: HttpRequest, payload: ActionIn):
    """Raise an action about a person, owned by a member of staff or an agency."""
    viewer = caller(request)
    person = Person.objects.filter(pk=payload.person).first()
    if person is None or not visibility.may_know(viewer, person.pk):
        raise NotFound(f"There is no person with the id {payload.person}.")
    owner, agency = _owner(payload)
    information_request = None
    if payload.information_request is not None:
        information_request = InformationRequest.objects.filter(pk=payload.information_request).first()
        if information_request is None:
            raise InvalidInput(
                "The action was not raised: correct the problems listed.",
                field_errors={"information_request": "There is no such request for information"},
            )
    action = services.raise_action(
        by=viewer,
        person=person,
        description=payload.description,
        due_on=payload.due_on,
        owner=owner,
        owning_agency=agency,
        raised_from=RaisedFrom.REQUEST if information_request else RaisedFrom.API,
        information_request=information_request,
    )
    return Status(201, _out(_action(viewer, action.pk)))


@router.get("/actions/{action_id}", response={200: ActionOut, **PROBLEMS}, url_name="actions-one")
def get_action(request: HttpRequest, action_id: int):
    """One action the caller may see."""
    return _out(_action(caller(request), action_id))


@router.post("/actions/{action_id}/status", response={200: ActionOut, **PROBLEMS}, url_name="actions-status")
def change_status(request: HttpRequest, action_id: int, payload: StatusIn):
    """Mark an action done, cancel it (with a note) or reopen it."""
    viewer = caller(request)
    action = services.change_status(
        _action(viewer, action_id), status=payload.status, note=payload.note, by=viewer
    )
    return _out(_action(viewer, action.pk))


@router.post("/actions/{action_id}/plan", response={200: ActionOut, **PROBLEMS}, url_name="actions-replan")
def replan_action(request: HttpRequest, action_id: int, payload: ReplanIn):
    """Change an open action's due date, owner, or both, with the reason (owner, raiser or meeting chair)."""
    viewer = caller(request)
    found = _action(viewer, action_id)
    owner, agency = _owner(payload, "changed")
    if owner is None and agency is None:  # the owner is kept
        owner, agency = found.owner, found.owning_agency
    action = services.replan_action(
        found,
        due_on=payload.due_on or found.due_on,
        owner=owner,
        owning_agency=agency,
        reason=payload.reason,
        by=viewer,
    )
    return _out(_action(viewer, action.pk))
