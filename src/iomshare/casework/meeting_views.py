"""Pages for multi-agency meetings: the list, arranging one (agenda picked from the cohort), the
meeting (attendance), and each person's page at the meeting (the attendee's pack through the door,
the minutes and the actions raised from them).

Thin: each page parses the form, calls casework.meetings or casework.services, and renders. A meeting
or person hidden from the viewer answers 404 (invariant 10).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iomshare.casework import meetings, services
from iomshare.casework.meeting_forms import (
    AttendanceForm,
    MeetingActionForm,
    MinutesForm,
    NewMeetingForm,
)
from iomshare.casework.models import Meeting, MeetingKind, RaisedFrom
from iomshare.casework.views import _owner_choices, _owner_from
from iomshare.errors import DomainError, InvalidInput, NotFound
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Agency, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.models import Person, Tier
from iomshare.protocols.models import Purpose
from iomshare.records.selectors import Picture


@login_required
def meetings_list(request: SignedInRequest) -> HttpResponse:
    viewer = request.user
    return render(
        request,
        "casework/meetings.html",
        {
            "meetings": list(meetings.meetings_for(viewer)[:200]),
            "may_arrange": viewer.role in meetings.ARRANGER_ROLES and not viewer.is_volunteer,
            "nav": "actions",
            "page_title": "Meetings",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request: SignedInRequest) -> HttpResponse:
    """Arrange a meeting: the agenda is picked from the cohort, narrowed by tier or review due."""
    viewer = request.user
    if viewer.role not in meetings.ARRANGER_ROLES or viewer.is_volunteer:
        raise PermissionDenied("Only staff of a partner agency arrange meetings.")
    tier = request.GET.get("tier", "") if request.GET.get("tier") in Tier.values else ""
    review_days = request.GET.get("review_within", "")
    review_by = None
    if review_days.isdigit() and int(review_days) <= 366:
        review_by = timezone.localdate() + dt.timedelta(days=int(review_days))
    candidates = list(meetings.people_to_discuss(viewer, tier=tier, review_due_by=review_by)[:200])
    staff = list(
        StaffMember.objects.filter(is_active=True, role__in=meetings.ATTENDEE_ROLES, agency__isnull=False)
        .select_related("agency")
        .order_by("agency__name", "last_name")
    )
    errors: dict[str, str] = {}
    values = {"kind": "", "chair": viewer.username, "purpose": "case_conference"}
    picked: dict[str, list[str]] = {"agencies": [], "attendees": [], "people": []}
    date = {"day": "", "month": "", "year": ""}
    if request.method == "POST":
        form = NewMeetingForm(request.POST)
        form.is_valid()
        values = {name: form.cleaned_data[name] for name in values}
        picked = {name: form.cleaned_data[name] for name in picked}
        date = form.date_parts("held_on")
        errors.update(form.date_errors)
        held_on = form.held_on
        by_name = {s.username: s for s in staff}
        try:
            meeting = meetings.arrange_meeting(
                by=viewer,
                kind=values["kind"],
                held_on=held_on,
                chair=by_name.get(values["chair"]),
                purpose=values["purpose"],
                agencies=Agency.objects.filter(code__in=picked["agencies"]),
                attendees=[by_name[name] for name in picked["attendees"] if name in by_name],
                people=Person.objects.filter(pk__in=[p for p in picked["people"] if _is_uuid(p)]),
            )
            messages.success(request, f"The {meeting} is arranged.")
            return redirect("casework:meeting", meeting_id=meeting.pk)
        except InvalidInput as error:
            errors = {**(error.field_errors or {"kind": error.message}), **errors}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render_form_page(
        request,
        "casework/new_meeting.html",
        {
            "kinds": MeetingKind.choices,
            "candidates": candidates,
            "tier": tier,
            "tiers": Tier.choices,
            "review_within": review_days if review_by else "",
            "staff": staff,
            "agencies": Agency.objects.order_by("name"),
            # Any purpose of the partnership: each attendee's pack is still their own door's answer.
            "purposes": Purpose.objects.order_by("name"),
            "values": values,
            "picked": picked,
            "date": date,
            "nav": "actions",
        },
        title="Arrange a meeting",
        errors=errors,
        error_status=422,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


def _meeting_or_404(viewer: StaffMember, meeting_id: int):
    found = meetings.meeting_for(viewer, meeting_id)
    if found is None:
        raise Http404("No such meeting")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """A meeting: who was invited and came, and the people to discuss (those the viewer may know)."""
    viewer = request.user
    found = _meeting_or_404(viewer, meeting_id)
    agenda = meetings.agenda_for(viewer, found)
    if request.method == "POST":
        form = AttendanceForm(request.POST)
        form.is_valid()
        try:
            meetings.keep_attendance(found, attended=form.attended_ids(), by=viewer)
            messages.success(request, "Attendance is kept.")
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        return redirect("casework:meeting", meeting_id=found.pk)
    return render(
        request,
        "casework/meeting.html",
        {
            "meeting": found,
            "attendees": list(found.attendees.select_related("staff__agency")),
            "agenda": agenda,
            "actions": list(
                found.actions.filter(person__in=[entry.person_id for entry in agenda]).select_related(
                    "person", "owner", "owning_agency"
                )
            ),
            "may_run": meetings.may_run(viewer, found),
            "is_attendee": meetings.is_attendee(viewer, found),
            "today": timezone.localdate(),
            "nav": "actions",
            "page_title": str(found),
        },
    )


def _pack_or_404(viewer: StaffMember, meeting_id: int, person_id: uuid.UUID) -> tuple[Meeting, Picture]:
    found = _meeting_or_404(viewer, meeting_id)
    try:
        return found, meetings.pack_for(viewer, found, person_id)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        raise PermissionDenied(error.message) from error


def _pack_page(
    request: SignedInRequest,
    found: Meeting,
    picture: Picture,
    *,
    errors: dict[str, str] | None = None,
    posted: Mapping[str, Any] | None = None,
) -> HttpResponse:
    viewer = request.user
    person = picture.person
    return render_form_page(
        request,
        "casework/pack.html",
        {
            "meeting": found,
            "person": person,
            "picture": picture,
            "entry": found.agenda.get(person=person),
            "actions": list(found.actions.filter(person=person).select_related("owner", "owning_agency")),
            "may_run": meetings.may_run(viewer, found),
            "staff": _owner_choices(viewer, person),
            "agencies": Agency.objects.order_by("name"),
            "post": posted if errors else {},
            "today": timezone.localdate(),
            "nav": "actions",
        },
        title=f"{person.full_name} at the {found}",
        errors=errors,
        error_status=422,
    )


@login_required
@require_GET
def pack(request: SignedInRequest, meeting_id: int, person_id: uuid.UUID) -> HttpResponse:
    """One person at the meeting: the attendee's pack through the door, the minutes, the actions.

    The minutes and a new action post to their own pages."""
    found, picture = _pack_or_404(request.user, meeting_id, person_id)
    return _pack_page(request, found, picture)


@login_required
@require_POST
def record_minutes(request: SignedInRequest, meeting_id: int, person_id: uuid.UUID) -> HttpResponse:
    """Record the minutes and decisions about one person at the meeting."""
    viewer = request.user
    found, picture = _pack_or_404(viewer, meeting_id, person_id)
    person = picture.person
    form = MinutesForm(request.POST)
    form.is_valid()
    try:
        meetings.record_minutes(
            found,
            person,
            minutes=form.cleaned_data["minutes"],
            decisions=form.cleaned_data["decisions"],
            by=viewer,
        )
    except InvalidInput as error:
        errors = error.field_errors or {"minutes": error.message}
        return _pack_page(request, found, picture, errors=errors, posted=form.data)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, f"The minutes about {person.full_name} are recorded.")
    return redirect("casework:pack", meeting_id=found.pk, person_id=person.pk)


@login_required
@require_POST
def raise_meeting_action(request: SignedInRequest, meeting_id: int, person_id: uuid.UUID) -> HttpResponse:
    """Raise an action about one person from the meeting's minutes."""
    viewer = request.user
    found, picture = _pack_or_404(viewer, meeting_id, person_id)
    person = picture.person
    form = MeetingActionForm(request.POST)
    form.is_valid()
    owner, agency = _owner_from(form.cleaned_data["owner"], _owner_choices(viewer, person))
    try:
        action = services.raise_action(
            by=viewer,
            person=person,
            description=form.cleaned_data["description"],
            due_on=form.due_on,
            owner=owner,
            owning_agency=agency,
            raised_from=RaisedFrom.MEETING,
            meeting=found,
        )
    except InvalidInput as error:
        errors = {**(error.field_errors or {"description": error.message}), **form.date_errors}
        return _pack_page(request, found, picture, errors=errors, posted=form.data)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, f"Action {action.number} is raised.")
    return redirect("casework:pack", meeting_id=found.pk, person_id=person.pk)
