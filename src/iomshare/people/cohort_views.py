"""Pages for running the cohort: refer a person, the selection panel's decisions, a membership's key
workers, tier, review and leaving, the partnership manager's dashboard and "My caseload".

Thin: each page parses the form, calls people.services or people.cohort_selectors, and renders. A
person hidden from the viewer answers 404, as if they did not exist (invariant 10).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iomshare.errors import DomainError, InvalidInput
from iomshare.governance.dashboards import key_worker_dashboard
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people import cohort_selectors as selectors
from iomshare.people import services, visibility
from iomshare.people.cohort_forms import (
    AssignKeyWorkerForm,
    LeaveForm,
    PanelDecisionForm,
    ReferForm,
    RemoveKeyWorkerForm,
    ReviewDateForm,
    TierForm,
)
from iomshare.people.models import (
    CohortMembership,
    CohortReferral,
    ExitReason,
    Person,
    ReferralSource,
    ReferralStatus,
    Tier,
)


def _person_or_404(viewer: StaffMember, person_id: uuid.UUID) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or viewer.agency_id is None or not visibility.may_know(viewer, person.pk):
        raise Http404("No such person")
    return person


# --- referring ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: SignedInRequest, person_id: uuid.UUID) -> HttpResponse:
    """Refer a person to the selection panel: the form, then check your answers, then send."""
    viewer = request.user
    person = _person_or_404(viewer, person_id)
    values = {"source": "", "reason": ""}
    errors: dict[str, str] = {}
    checking = False
    if request.method == "POST":
        form = ReferForm(request.POST)
        form.is_valid()
        values = form.values()
        try:
            if form.is_confirmed:
                referral = services.refer_for_cohort(by=viewer, person=person, **values)
                messages.success(request, f"{person.full_name} is referred to the selection panel.")
                return redirect("people:referral", referral_id=referral.pk)
            values["reason"] = services.check_referral(by=viewer, person=person, **values)
            checking = True
        except InvalidInput as error:
            errors = error.field_errors or {"reason": error.message}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render_form_page(
        request,
        "people/cohort/refer_check.html" if checking else "people/cohort/refer.html",
        {
            "person": person,
            "values": values,
            "sources": ReferralSource.choices,
            "source_label": dict(ReferralSource.choices).get(values["source"], ""),
            "nav": "cohort",
        },
        title="Check the referral" if checking else f"Refer {person.full_name} for the cohort",
        errors=errors,
        error_status=422,
    )


@login_required
def referrals(request: SignedInRequest) -> HttpResponse:
    """The panel's queue (every referral), or the viewer's agency's referrals."""
    viewer = request.user
    status = request.GET.get("status", "")
    status = status if status in ReferralStatus.values else ""
    return render(
        request,
        "people/cohort/referrals.html",
        {
            "referrals": selectors.referrals_for(viewer, status=status)[:200],
            "is_panel": services.is_selection_panel(viewer),
            "status": status,
            "statuses": ReferralStatus.choices,
            "nav": "cohort",
            "page_title": "Referrals for the cohort",
        },
    )


def _decide(
    request: SignedInRequest, referral: CohortReferral, form: PanelDecisionForm, errors: dict[str, str]
) -> HttpResponse | dt.date | None:
    """Check (or, confirmed, carry out) the panel's decision; a response when it is done."""
    viewer = request.user
    values = form.values()
    review_on = form.review_on
    if values["decision"] == "accept":
        if form.is_confirmed and not errors:
            membership = services.accept_referral(
                referral,
                by=viewer,
                tier=values["tier"],
                lead_agency=values["lead_agency"],
                review_on=review_on,
                note=values["note"],
            )
            messages.success(request, f"{referral.person.full_name} is in the cohort.")
            return redirect("people:membership", membership_id=membership.pk)
        try:
            _, _, review_on = services.check_acceptance(
                tier=values["tier"],
                lead_agency=values["lead_agency"],
                started_on=None,
                review_on=review_on,
                today=timezone.localdate(),
            )
        except InvalidInput as error:
            errors.update(error.field_errors)
        return review_on
    if values["decision"] == "decline":
        if form.is_confirmed:
            services.decline_referral(referral, by=viewer, reason=values["reason"])
            messages.success(request, f"The referral of {referral.person.full_name} is declined.")
            return redirect("people:referral", referral_id=referral.pk)
        try:
            services.check_decline(values["reason"])
        except InvalidInput as error:
            errors.update(error.field_errors)
        return None
    errors["decision"] = "Choose whether the panel accepts or declines the referral"
    return None


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: SignedInRequest, referral_id: int) -> HttpResponse:
    """One referral, its history, and for the panel the decision: accept or decline, then check."""
    viewer = request.user
    found = selectors.referral_for(viewer, referral_id)
    if found is None:
        raise Http404("No such referral")
    is_panel = services.is_selection_panel(viewer)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    checking = False
    review_on = None
    review_parts: dict[str, str] = {}
    if request.method == "POST":
        form = PanelDecisionForm(request.POST)
        form.is_valid()
        values = form.values()
        review_parts = form.date_parts("review_on")
        if not is_panel:
            raise PermissionDenied("Only the selection panel (a partnership manager) can decide a referral.")
        errors.update(form.date_errors)
        try:
            outcome = _decide(request, found, form, errors)
        except InvalidInput as error:
            errors.update(error.field_errors or {"decision": error.message})
            outcome = None
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        if isinstance(outcome, HttpResponse):
            return outcome
        review_on = outcome
        checking = not errors
    agencies = Agency.objects.all()
    return render_form_page(
        request,
        "people/cohort/referral_check.html" if checking else "people/cohort/referral.html",
        {
            "referral": found,
            "history": found.changes.select_related("by__agency"),
            "is_panel": is_panel and found.status == ReferralStatus.AWAITING_PANEL,
            "values": values,
            "tiers": Tier.choices,
            "tier_label": dict(Tier.choices).get(values.get("tier", ""), ""),
            "agencies": agencies,
            "agency_name": next((a.name for a in agencies if a.code == values.get("lead_agency")), ""),
            "review_on": review_on,
            "review_parts": review_parts,
            "nav": "cohort",
        },
        title=f"Referral {found.number}",
        errors=errors,
        error_status=422,
    )


# --- a membership ---------------------------------------------------------------------------------


def _membership_or_404(viewer: StaffMember, membership_id: int) -> CohortMembership:
    found = selectors.membership_for(viewer, membership_id)
    if found is None:
        raise Http404("No such membership")
    return found


def _membership_page(
    request: SignedInRequest,
    found: CohortMembership,
    *,
    errors: dict[str, str] | None = None,
    review_parts: dict[str, str] | None = None,
) -> HttpResponse:
    viewer = request.user
    return render_form_page(
        request,
        "people/cohort/membership.html",
        {
            "membership": found,
            "person": found.person,
            "history": selectors.cohort_history(found.person_id),
            "may_manage": found.ended_on is None and services.may_manage_membership(viewer, found),
            "is_panel": found.ended_on is None and services.is_selection_panel(viewer),
            "possible_key_workers": selectors.possible_key_workers(viewer).exclude(
                pk__in=[w.pk for w in found.key_workers.all()]
            ),
            "tiers": Tier.choices,
            "review_parts": review_parts or {},
            "nav": "cohort",
        },
        title=f"{found.person.full_name}: cohort membership",
        errors=errors,
        error_status=422,
    )


def _changed(
    request: SignedInRequest,
    membership_id: int,
    change: str,
    act: Callable[[CohortMembership], str],
    **page: Any,
) -> HttpResponse:
    """Carry out one change to a membership (`act` returns the success message), then back to the
    membership; a problem is shown on the membership page, keyed by the form it came from."""
    found = _membership_or_404(request.user, membership_id)
    try:
        done = act(found)
    except InvalidInput as error:
        errors = {
            name if name == "review_on" else f"{change}_{name}": text
            for name, text in error.field_errors.items()
        } or {"change": error.message}
        return _membership_page(request, found, errors=errors, **page)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, done)
    return redirect("people:membership", membership_id=found.pk)


@login_required
@require_GET
def membership(request: SignedInRequest, membership_id: int) -> HttpResponse:
    """A membership: tier, lead agency, key workers and how to reach them, review date, history.

    Each change posts to its own page (assign, remove, tier, review)."""
    return _membership_page(request, _membership_or_404(request.user, membership_id))


@login_required
@require_POST
def assign_key_worker(request: SignedInRequest, membership_id: int) -> HttpResponse:
    """Make one of the staff the viewer may choose a key worker of the member."""
    form = AssignKeyWorkerForm(request.POST)
    form.is_valid()
    username = form.cleaned_data["key_worker"]

    def act(found: CohortMembership) -> str:
        viewer = request.user
        worker = (
            selectors.possible_key_workers(viewer).filter(username=username).first() if username else None
        )
        services.assign_key_worker(found, by=viewer, key_worker=worker)
        return f"{worker} is now a key worker."

    return _changed(request, membership_id, "assign", act)


@login_required
@require_POST
def remove_key_worker(request: SignedInRequest, membership_id: int) -> HttpResponse:
    """Stop a key worker being one, with the reason."""
    form = RemoveKeyWorkerForm(request.POST)
    form.is_valid()

    def act(found: CohortMembership) -> str:
        worker = found.key_workers.filter(username=form.cleaned_data["key_worker"]).first()
        if worker is None:
            raise InvalidInput(
                "Choose a key worker to remove.", field_errors={"key_worker": "Choose a key worker"}
            )
        services.remove_key_worker(
            found, by=request.user, key_worker=worker, reason=form.cleaned_data["reason"]
        )
        return f"{worker} is no longer a key worker."

    return _changed(request, membership_id, "remove", act)


@login_required
@require_POST
def change_tier(request: SignedInRequest, membership_id: int) -> HttpResponse:
    """Move the member to another tier, with the reason."""
    form = TierForm(request.POST)
    form.is_valid()

    def act(found: CohortMembership) -> str:
        services.change_tier(
            found, by=request.user, tier=form.cleaned_data["tier"], reason=form.cleaned_data["tier_reason"]
        )
        return "The tier is changed."

    return _changed(request, membership_id, "tier", act)


@login_required
@require_POST
def set_review_date(request: SignedInRequest, membership_id: int) -> HttpResponse:
    """Set the day the membership is next reviewed by."""
    form = ReviewDateForm(request.POST)
    form.is_valid()

    def act(found: CohortMembership) -> str:
        if form.date_errors:
            raise InvalidInput("The review date was not set.", field_errors=form.date_errors)
        services.set_review_date(found, by=request.user, review_on=form.review_on)
        return "The review date is set."

    return _changed(request, membership_id, "review", act, review_parts=form.date_parts("review_on"))


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: SignedInRequest, membership_id: int) -> HttpResponse:
    """The panel takes a member off the cohort: reason and date, then check, then confirm."""
    viewer = request.user
    found = _membership_or_404(viewer, membership_id)
    if not services.is_selection_panel(viewer):
        raise PermissionDenied(
            "Only the selection panel (a partnership manager) can take someone off the cohort."
        )
    errors: dict[str, str] = {}
    values = {"reason": "", "note": ""}
    ended_on = None
    ended_parts: dict[str, str] = {}
    checking = False
    if request.method == "POST":
        form = LeaveForm(request.POST)
        form.is_valid()
        values = {"reason": form.cleaned_data["reason"], "note": form.cleaned_data["note"]}
        ended_on = form.ended_on
        ended_parts = form.date_parts("ended_on")
        errors.update(form.date_errors)
        try:
            if not errors and form.is_confirmed:
                services.leave_cohort(
                    found, by=viewer, reason=values["reason"], ended_on=ended_on, note=values["note"]
                )
                messages.success(request, f"{found.person.full_name} has left the cohort.")
                return redirect("people:membership", membership_id=found.pk)
            if not errors:
                ended_on = services.check_leaving(found, reason=values["reason"], ended_on=ended_on)
                checking = True
        except InvalidInput as error:
            errors.update(error.field_errors or {"reason": error.message})
    return render_form_page(
        request,
        "people/cohort/leave_check.html" if checking else "people/cohort/leave.html",
        {
            "membership": found,
            "person": found.person,
            "values": values,
            "reason_label": dict(ExitReason.choices).get(values["reason"], ""),
            "reasons": ExitReason.choices,
            "ended_on": ended_on,
            "ended_parts": ended_parts,
            "nav": "cohort",
        },
        title=f"{found.person.full_name} leaves the cohort",
        errors=errors,
        error_status=422,
    )


# --- landing pages --------------------------------------------------------------------------------


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    """The partnership manager's first page: the cohort by tier, the panel's queue, reviews due."""
    if request.user.is_volunteer or request.user.role in {Role.VOLUNTEER, Role.SYSTEM}:
        raise PermissionDenied("The cohort dashboard is for partnership staff.")
    return render(
        request,
        "people/cohort/dashboard.html",
        {
            "dashboard": selectors.dashboard(request.user),
            "is_panel": services.is_selection_panel(request.user),
            "nav": "cohort",
            "page_title": "Cohort dashboard",
        },
    )


@login_required
def my_caseload(request: SignedInRequest) -> HttpResponse:
    """The people the viewer is key worker for (volunteers: only those allocated to them)."""
    caseload = selectors.caseload_entries(request.user)
    return render(
        request,
        "people/cohort/caseload.html",
        {
            "caseload": caseload,
            # The key worker's dashboard heads their caseload, the page they land on.
            "dashboard": key_worker_dashboard(request.user, caseload=[entry.person_id for entry in caseload]),
            "nav": "caseload",
            "page_title": "My caseload",
        },
    )
