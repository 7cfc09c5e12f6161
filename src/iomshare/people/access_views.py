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
            entry = access_lists.add_to_access_list(
                person,
                request.POST.get("kind", ""),
                member,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
        except DomainError as error:
            errors = error.field_errors or {"staff_member": error.message}
        else:
            where = "exclusion list" if entry.kind == AccessListKind.EXCLUSION else "restriction list"
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
        .select_related("staff_member__agency")
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
