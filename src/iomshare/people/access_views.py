"""Pages where an information-governance lead manages a person's exclusion and restriction lists.

Thin: every change is a call to people.access_lists, which checks who may and writes the ledger.
"""

from __future__ import annotations

import uuid
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iomshare.errors import DomainError, NotFound, NotPermitted
from iomshare.partnership.models import StaffMember
from iomshare.people import access_lists
from iomshare.people.models import AccessListEntry, AccessListKind, Person
from iomshare.web.govuk_dates import DateInputError, parse_date_input


def _person(request: HttpRequest, person_id: uuid.UUID) -> Person:
    try:
        return access_lists.person_for_management(request.user, person_id)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except NotFound:
        raise Http404("No such person") from None


def _staff_by_agency() -> list[tuple[str, list[StaffMember]]]:
    staff = StaffMember.objects.filter(is_active=True, agency__isnull=False).select_related("agency")
    ordered = sorted(staff, key=lambda s: (s.agency.name, s.last_name, s.first_name, s.username))
    return [(name, list(members)) for name, members in groupby(ordered, key=lambda s: s.agency.name)]


@login_required
def access_list_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Both lists of the person, their history, and the form to name someone on a list."""
    person = _person(request, person_id)
    errors: dict[str, str] = {}
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        member = StaffMember.objects.filter(
            username=request.POST.get("staff_member", ""), is_active=True
        ).first()
        try:
            review_on = parse_date_input(request.POST, "review_on", "the review date", required=True)
        except DateInputError as error:
            review_on, date_error = None, {"review_on": str(error)}
        else:
            date_error = {}
        try:
            entry = access_lists.add_to_access_list(
                person,
                request.POST.get("kind", ""),
                member,
                by=request.user,
                reason=request.POST.get("reason", ""),
                review_on=review_on,
            )
        except DomainError as error:
            errors = {**(error.field_errors or {"staff_member": error.message}), **date_error}
        else:
            where = "exclusion list" if entry.kind == AccessListKind.EXCLUSION else "restriction list"
            if entry.is_pending:
                messages.success(
                    request,
                    f"Your request to put {entry.staff_member} on {person}'s {where} is sent to "
                    f"{entry.approval_agency}, the lead agency. It has no effect until they approve it.",
                )
            else:
                messages.success(request, f"{entry.staff_member} is now on {person}'s {where}.")
            return redirect("people:access-lists", person_id=person.pk)
    return render(
        request,
        "people/access_lists.html",
        {
            "person": person,
            "lists": access_lists.access_lists(person),
            "staff_groups": _staff_by_agency(),
            "kinds": AccessListKind.choices,
            "errors": errors,
            "form": form,
            "decides": access_lists.is_lead_agency_ig_lead(request.user, person.pk),
            "review_on": {p: form.get(f"review_on-{p}", "") for p in ("day", "month", "year")},
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + f"Access lists – {person}",
        },
        status=400 if errors else 200,
    )


@login_required
def access_list_remove(request: HttpRequest, person_id: uuid.UUID, entry_id: int) -> HttpResponse:
    """Confirm, with a reason, then take a member of staff off one of the person's lists."""
    person = _person(request, person_id)
    entry = (
        AccessListEntry.objects.filter(pk=entry_id, person=person, removed_at__isnull=True)
        .select_related("staff_member__agency", "added_by")
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            access_lists.remove_from_access_list(
                entry, by=request.user, reason=request.POST.get("reason", "")
            )
        except DomainError as error:
            errors = error.field_errors or {"reason": error.message}
        else:
            messages.success(request, f"{entry.staff_member} is no longer on the list.")
            return redirect("people:access-lists", person_id=person.pk)
    return render(
        request,
        "people/access_list_remove.html",
        {
            "person": person,
            "entry": entry,
            "errors": errors,
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + "Take off an access list",
        },
        status=400 if errors else 200,
    )


@login_required
def access_list_decide(request: HttpRequest, person_id: uuid.UUID, entry_id: int) -> HttpResponse:
    """The lead agency's IG lead approves or refuses an entry another agency asked for, with a reason."""
    person = _person(request, person_id)
    entry = (
        AccessListEntry.objects.filter(pk=entry_id, person=person)
        .select_related("staff_member__agency", "added_by__agency", "approval_agency")
        .first()
    )
    if entry is None or not entry.is_pending:
        raise Http404("No such entry waiting for a decision")
    if request.user.agency_id != entry.approval_agency_id:
        raise PermissionDenied("Only an IG lead of the person's lead agency can decide on this entry.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        action = {
            "approve": access_lists.approve_access_list_entry,
            "refuse": access_lists.refuse_access_list_entry,
        }.get(decision)
        try:
            if action is None:
                errors["decision"] = "Select whether to approve or refuse the entry"
                if not request.POST.get("reason", "").strip():
                    errors["reason"] = "Enter the reason for this change"
            else:
                action(entry, by=request.user, reason=request.POST.get("reason", ""))
        except DomainError as error:
            errors = {**errors, **(error.field_errors or {"decision": error.message})}
        if not errors:
            done = "approved: it is in force now" if decision == "approve" else "refused"
            messages.success(request, f"The entry for {entry.staff_member} is {done}.")
            return redirect("people:access-lists", person_id=person.pk)
    return render(
        request,
        "people/access_list_decide.html",
        {
            "person": person,
            "entry": entry,
            "errors": errors,
            "form": request.POST if request.method == "POST" else {},
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + "Approve or refuse an access list entry",
        },
        status=400 if errors else 200,
    )
