"""Pages for actions: My actions, an agency's overdue list, raising an action and an action's page.

Thin: each page parses the form, calls casework.services or casework.selectors, and renders. A
person or action hidden from the viewer answers 404, as if it did not exist (invariant 10).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from iomshare.casework import selectors, services
from iomshare.casework.forms import ActionStatusForm, RaiseActionForm, ReplanActionForm
from iomshare.casework.models import ActionStatus, RaisedFrom
from iomshare.errors import DomainError, InvalidInput
from iomshare.information_requests.models import InformationRequest
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Agency, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people import visibility
from iomshare.people.models import Person

STATUS_FILTERS = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled"), ("all", "All")]


@login_required
def my_actions(request: SignedInRequest) -> HttpResponse:
    viewer = request.user
    status = request.GET.get("status", "open")
    status = status if status in {value for value, _ in STATUS_FILTERS} else "open"
    actions = list(selectors.my_actions(viewer, status="" if status == "all" else status)[:200])
    return render(
        request,
        "casework/my_actions.html",
        {
            "actions": actions,
            "status": status,
            "statuses": STATUS_FILTERS,
            "today": timezone.localdate(),
            "overdue_count": sum(1 for action in actions if action.is_overdue()),
            "may_read_overdue_list": selectors.may_read_overdue_list(viewer),
            "nav": "actions",
            "page_title": "My actions",
        },
    )


@login_required
def overdue(request: SignedInRequest) -> HttpResponse:
    viewer = request.user
    if not selectors.may_read_overdue_list(viewer):
        raise PermissionDenied("Only an agency's IG lead or a partnership manager reads its overdue list.")
    return render(
        request,
        "casework/overdue.html",
        {
            "actions": list(selectors.overdue_for_agency(viewer)[:500]),
            "today": timezone.localdate(),
            "nav": "actions",
            "page_title": f"Overdue actions owned by {viewer.agency}",
        },
    )


def _person_or_404(viewer: StaffMember, person_id) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if (
        person is None
        or getattr(viewer, "agency_id", None) is None
        or not visibility.may_know(viewer, person.pk)
    ):
        raise Http404("No such person")
    return person


def _owner_choices(viewer: StaffMember, person: Person) -> list[StaffMember]:
    """Staff offered as owners: the partnership's staff (a volunteer: themselves only); the service
    refuses an owner who may not know the person, naming them."""
    staff = StaffMember.objects.filter(is_active=True, role__in=services.OWNER_ROLES, agency__isnull=False)
    if visibility.is_volunteer(viewer):
        staff = staff.filter(pk=viewer.pk)
    return list(staff.select_related("agency").order_by("agency__name", "last_name", "first_name"))


def _request_about(viewer: StaffMember, person: Person, request_id: str) -> InformationRequest | None:
    if not request_id.isdigit():
        return None
    return (
        InformationRequest.objects.filter(pk=int(request_id), person=person)
        .filter(Q(requesting_agency_id=viewer.agency_id) | Q(holding_agency_id=viewer.agency_id))
        .first()
    )


def _owner_from(value: str, staff: list[StaffMember]) -> tuple[StaffMember | None, Agency | None]:
    kind, _, key = value.partition(":")
    if kind == "staff":
        return next((s for s in staff if s.username == key), None), None
    if kind == "agency":
        return None, Agency.objects.filter(code=key).first()
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
def raise_action(request: SignedInRequest, person_id) -> HttpResponse:
    """Raise an action about a person, from their page or from a request for information about them."""
    viewer = request.user
    person = _person_or_404(viewer, person_id)
    information_request = _request_about(viewer, person, request.GET.get("request", "")[:12])
    staff = _owner_choices(viewer, person)
    values = {"description": "", "owner": f"staff:{viewer.username}"}
    due = {"day": "", "month": "", "year": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = RaiseActionForm(request.POST)
        form.is_valid()
        values = {name: form.cleaned_data[name] for name in values}
        due = form.date_parts("due_on")
        errors.update(form.date_errors)
        due_on = form.due_on
        owner, agency = _owner_from(values["owner"], staff)
        try:
            if errors:
                services.check_action(
                    by=viewer,
                    person=person,
                    description=values["description"],
                    due_on=None,
                    owner=owner,
                    owning_agency=agency,
                )
            action = services.raise_action(
                by=viewer,
                person=person,
                description=values["description"],
                due_on=due_on,
                owner=owner,
                owning_agency=agency,
                raised_from=RaisedFrom.REQUEST if information_request else RaisedFrom.PERSON_PAGE,
                information_request=information_request,
            )
            messages.success(request, f"Action {action.number} is raised, due {action.due_on:%-d %B %Y}.")
            return redirect("casework:action", action_id=action.pk)
        except InvalidInput as error:
            errors = {**(error.field_errors or {"description": error.message}), **errors}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render_form_page(
        request,
        "casework/raise.html",
        {
            "person": person,
            "information_request": information_request,
            "values": values,
            "due": due,
            "staff": staff,
            "agencies": Agency.objects.order_by("name"),
            "nav": "actions",
        },
        title=f"Raise an action about {person.full_name}",
        errors=errors,
        error_status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action(request: SignedInRequest, action_id: int) -> HttpResponse:
    """One action: what, who owns it, by when, where it was raised, its history; mark done or cancel."""
    viewer = request.user
    found = selectors.action_for(viewer, action_id)
    if found is None:
        raise Http404("No such action")
    errors: dict[str, str] = {}
    note = ""
    if request.method == "POST":
        form = ActionStatusForm(request.POST)
        form.is_valid()
        note = form.cleaned_data["note"]
        try:
            services.change_status(found, status=form.cleaned_data["status"], note=note, by=viewer)
            messages.success(request, f"Action {found.number} is changed.")
            return redirect("casework:action", action_id=found.pk)
        except InvalidInput as error:
            errors = error.field_errors or {"status": error.message}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render_form_page(
        request,
        "casework/action.html",
        {
            "action": found,
            "history": selectors.history_of(found),
            "may_change": services.may_change(viewer, found),
            "may_replan": services.may_replan(viewer, found),
            "statuses": ActionStatus,
            "note": note,
            "today": timezone.localdate(),
            "nav": "actions",
        },
        title=f"Action {found.number}",
        errors=errors,
        error_status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def replan_action(request: SignedInRequest, action_id: int) -> HttpResponse:
    """Change an open action's due date or owner, with the reason (its owner, raiser or meeting chair)."""
    viewer = request.user
    found = selectors.action_for(viewer, action_id)
    if found is None:
        raise Http404("No such action")
    if not services.may_replan(viewer, found):
        raise PermissionDenied("Only the owner, the raiser or the meeting's chair changes the due date.")
    staff = _owner_choices(viewer, found.person)
    current = f"staff:{found.owner.username}" if found.owner else f"agency:{found.owning_agency.code}"
    form = ReplanActionForm(request.POST or None, staff=staff, initial={"owner": current})
    errors: dict[str, str] = {}
    if request.method == "POST":
        form.is_valid()
        errors = form.field_errors()
        owner, agency = form.chosen_owner()
        change = {"owner": owner, "owning_agency": agency, "reason": form.cleaned_data.get("reason", "")}
        try:
            if errors:  # the date is unreadable: still name every other problem
                services.check_replan(found, due_on=found.due_on, by=viewer, **change)
            services.replan_action(found, due_on=form.due_on, by=viewer, **change)
            messages.success(request, f"Action {found.number} is changed.")
            return redirect("casework:action", action_id=found.pk)
        except InvalidInput as error:
            errors = {**(error.field_errors or {"reason": error.message}), **errors}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    due = (
        form.date_parts()
        if form.is_bound
        else {"day": str(found.due_on.day), "month": str(found.due_on.month), "year": str(found.due_on.year)}
    )
    return render_form_page(
        request,
        "casework/replan.html",
        {
            "action": found,
            "values": {"owner": form.data.get("owner", current), "reason": form.data.get("reason", "")},
            "due": due,
            "staff": staff,
            "agencies": Agency.objects.order_by("name"),
            "nav": "actions",
        },
        title=f"Change the due date or owner of action {found.number}",
        errors=errors,
        error_status=422,
    )
