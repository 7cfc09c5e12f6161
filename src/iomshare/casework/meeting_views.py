"""Pages for multi-agency meetings: the list, arranging one (agenda picked from the cohort), the
meeting (attendance), and each person's page at the meeting (the attendee's pack through the door,
the minutes and the actions raised from them).

Thin: each page parses the form, calls casework.meetings or casework.services, and renders. A meeting
or person hidden from the viewer answers 404 (invariant 10).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from iomshare.casework import meetings, services
from iomshare.casework.models import MeetingKind, RaisedFrom
from iomshare.casework.views import _owner_choices, _owner_from
from iomshare.errors import DomainError, InvalidInput, NotFound
from iomshare.partnership.models import Agency, StaffMember
from iomshare.people.models import Person, Tier
from iomshare.protocols.models import Purpose
from iomshare.web.govuk_dates import DateInputError, parse_date_input


@login_required
def meetings_list(request: HttpRequest) -> HttpResponse:
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


def _picked(request: HttpRequest, name: str) -> list[str]:
    return [value[:150] for value in request.POST.getlist(name)[:200]]


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request: HttpRequest) -> HttpResponse:
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
        values = {name: request.POST.get(name, "").strip()[:150] for name in values}
        picked = {name: _picked(request, name) for name in picked}
        date = {part: request.POST.get(f"held_on-{part}", "").strip()[:4] for part in date}
        try:
            held_on = parse_date_input(request.POST, "held_on", "the date of the meeting", required=True)
        except DateInputError as error:
            errors["held_on"], held_on = str(error), None
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
    return render(
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
            "errors": errors,
            "nav": "actions",
            "page_title": ("Error: " if errors else "") + "Arrange a meeting",
        },
        status=422 if errors else 200,
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
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A meeting: who was invited and came, and the people to discuss (those the viewer may know)."""
    viewer = request.user
    found = _meeting_or_404(viewer, meeting_id)
    agenda = meetings.agenda_for(viewer, found)
    if request.method == "POST":
        attended = [int(v) for v in request.POST.getlist("attended")[:200] if v.isdigit()]
        try:
            meetings.keep_attendance(found, attended=attended, by=viewer)
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


def _minutes(request, found, person, viewer, errors) -> bool:
    try:
        meetings.record_minutes(
            found,
            person,
            minutes=request.POST.get("minutes", "")[:12000],
            decisions=request.POST.get("decisions", "")[:12000],
            by=viewer,
        )
        messages.success(request, f"The minutes about {person.full_name} are recorded.")
        return True
    except InvalidInput as error:
        errors.update(error.field_errors or {"minutes": error.message})
        return False


def _action(request, found, person, viewer, errors, staff) -> bool:
    try:
        due_on = parse_date_input(request.POST, "due_on", "the due date", required=True)
    except DateInputError as error:
        errors["due_on"] = str(error)
        due_on = None
    owner, agency = _owner_from(request.POST.get("owner", "")[:200], staff)
    try:
        action = services.raise_action(
            by=viewer,
            person=person,
            description=request.POST.get("description", "")[:3000],
            due_on=due_on,
            owner=owner,
            owning_agency=agency,
            raised_from=RaisedFrom.MEETING,
            meeting=found,
        )
        messages.success(request, f"Action {action.number} is raised.")
        return True
    except InvalidInput as error:
        errors.update({**(error.field_errors or {"description": error.message}), **errors})
        return False


@login_required
@require_http_methods(["GET", "POST"])
def pack(request: HttpRequest, meeting_id: int, person_id) -> HttpResponse:
    """One person at the meeting: the attendee's pack through the door, the minutes, the actions."""
    viewer = request.user
    found = _meeting_or_404(viewer, meeting_id)
    try:
        picture = meetings.pack_for(viewer, found, person_id)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    person = picture.person
    entry = found.agenda.get(person=person)
    staff = _owner_choices(viewer, person)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            done = (
                _minutes(request, found, person, viewer, errors)
                if form == "minutes"
                else _action(request, found, person, viewer, errors, staff)
            )
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        if done:
            return redirect("casework:pack", meeting_id=found.pk, person_id=person.pk)
    return render(
        request,
        "casework/pack.html",
        {
            "meeting": found,
            "person": person,
            "picture": picture,
            "entry": entry,
            "actions": list(found.actions.filter(person=person).select_related("owner", "owning_agency")),
            "may_run": meetings.may_run(viewer, found),
            "staff": staff,
            "agencies": Agency.objects.order_by("name"),
            "post": request.POST if errors else {},
            "errors": errors,
            "today": timezone.localdate(),
            "nav": "actions",
            "page_title": ("Error: " if errors else "") + f"{person.full_name} at the {found}",
        },
        status=422 if errors else 200,
    )
