"""Pages where an information-governance lead manages a person's exclusion and restriction lists.

Thin: every change is a call to people.access_lists, which checks who may and writes the ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from iomshare.errors import DomainError, NotFound, NotPermitted
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people import access_lists
from iomshare.people.access_forms import AddToListForm, DecideEntryForm, RemoveFromListForm
from iomshare.people.models import AccessListEntry, AccessListKind, Person


def _person(request: SignedInRequest, person_id: uuid.UUID) -> Person:
    try:
        return access_lists.person_for_management(request.user, person_id)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except NotFound:
        raise Http404("No such person") from None


def _agency_name(staff_member: StaffMember) -> str:
    return staff_member.agency.name if staff_member.agency else ""


def _staff_by_agency() -> list[tuple[str, list[StaffMember]]]:
    staff = StaffMember.objects.filter(is_active=True, agency__isnull=False).select_related("agency")
    ordered = sorted(staff, key=lambda s: (_agency_name(s), s.last_name, s.first_name, s.username))
    return [(name, list(members)) for name, members in groupby(ordered, key=_agency_name)]


@login_required
def access_list_page(request: SignedInRequest, person_id: uuid.UUID) -> HttpResponse:
    """Both lists of the person, their history, and the form to name someone on a list."""
    person = _person(request, person_id)
    errors: dict[str, str] = {}
    posted: Mapping[str, Any] = {}
    if request.method == "POST":
        form = AddToListForm(request.POST)
        form.is_valid()
        posted = form.data
        member = StaffMember.objects.filter(
            username=form.cleaned_data["staff_member"], is_active=True
        ).first()
        try:
            entry = access_lists.add_to_access_list(
                person,
                form.cleaned_data["kind"],
                member,
                by=request.user,
                reason=form.cleaned_data["reason"],
                review_on=form.review_on,
            )
        except DomainError as error:
            errors = {**(error.field_errors or {"staff_member": error.message}), **form.date_errors}
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
    return render_form_page(
        request,
        "people/access_lists.html",
        {
            "person": person,
            "lists": access_lists.access_lists(person),
            "staff_groups": _staff_by_agency(),
            "kinds": AccessListKind.choices,
            "form": posted,
            "decides": access_lists.is_lead_agency_ig_lead(request.user, person.pk),
            "review_on": {p: posted.get(f"review_on-{p}", "") for p in ("day", "month", "year")},
            "nav": "cohort",
        },
        title=f"Access lists – {person}",
        errors=errors,
    )


@login_required
def access_list_remove(request: SignedInRequest, person_id: uuid.UUID, entry_id: int) -> HttpResponse:
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
        form = RemoveFromListForm(request.POST)
        form.is_valid()
        try:
            access_lists.remove_from_access_list(entry, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            errors = error.field_errors or {"reason": error.message}
        else:
            messages.success(request, f"{entry.staff_member} is no longer on the list.")
            return redirect("people:access-lists", person_id=person.pk)
    return render_form_page(
        request,
        "people/access_list_remove.html",
        {"person": person, "entry": entry, "nav": "cohort"},
        title="Take off an access list",
        errors=errors,
    )


@login_required
def access_list_decide(request: SignedInRequest, person_id: uuid.UUID, entry_id: int) -> HttpResponse:
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
    posted: Mapping[str, Any] = {}
    if request.method == "POST":
        form = DecideEntryForm(request.POST)
        form.is_valid()
        posted = form.data
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        action = {
            "approve": access_lists.approve_access_list_entry,
            "refuse": access_lists.refuse_access_list_entry,
        }.get(decision)
        try:
            if action is None:
                errors["decision"] = "Select whether to approve or refuse the entry"
                if not reason.strip():
                    errors["reason"] = "Enter the reason for this change"
            else:
                action(entry, by=request.user, reason=reason)
        except DomainError as error:
            errors = {**errors, **(error.field_errors or {"decision": error.message})}
        if not errors:
            done = "approved: it is in force now" if decision == "approve" else "refused"
            messages.success(request, f"The entry for {entry.staff_member} is {done}.")
            return redirect("people:access-lists", person_id=person.pk)
    return render_form_page(
        request,
        "people/access_list_decide.html",
        {"person": person, "entry": entry, "form": posted, "nav": "cohort"},
        title="Approve or refuse an access list entry",
        errors=errors,
    )
