"""Pages for running the cohort: refer a person, the selection panel's decisions, a membership's key
workers, tier, review and leaving, the partnership manager's dashboard and "My caseload".

Thin: each page parses the form, calls people.services or people.cohort_selectors, and renders. A
person hidden from the viewer answers 404, as if they did not exist (invariant 10).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from iomshare.errors import DomainError, InvalidInput
from iomshare.governance.dashboards import key_worker_dashboard
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people import cohort_selectors as selectors
from iomshare.people import services, visibility
from iomshare.people.models import ExitReason, Person, ReferralSource, ReferralStatus, Tier
from iomshare.web.govuk_dates import DateInputError, parse_date_input


def _person_or_404(viewer: StaffMember, person_id) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or viewer.agency_id is None or not visibility.may_know(viewer, person.pk):
        raise Http404("No such person")
    return person


def _date_parts(request: HttpRequest, name: str) -> dict[str, str]:
    return {part: request.POST.get(f"{name}-{part}", "").strip()[:4] for part in ("day", "month", "year")}


def _date(request: HttpRequest, name: str, label: str, errors: dict[str, str], *, required: bool = False):
    try:
        return parse_date_input(request.POST, name, label, required=required)
    except DateInputError as error:
        errors[name] = str(error)
        return None


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


# --- referring ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, person_id) -> HttpResponse:
    """Refer a person to the selection panel: the form, then check your answers, then send."""
    viewer = request.user
    person = _person_or_404(viewer, person_id)
    values = {"source": "", "reason": ""}
    errors: dict[str, str] = {}
    checking = False
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip()[:6000] for name in values}
        try:
            if _confirmed(request):
                referral = services.refer_for_cohort(by=viewer, person=person, **values)
                messages.success(request, f"{person.full_name} is referred to the selection panel.")
                return redirect("people:referral", referral_id=referral.pk)
            values["reason"] = services.check_referral(by=viewer, person=person, **values)
            checking = True
        except InvalidInput as error:
            errors = error.field_errors or {"reason": error.message}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render(
        request,
        "people/cohort/refer_check.html" if checking else "people/cohort/refer.html",
        {
            "person": person,
            "values": values,
            "errors": errors,
            "sources": ReferralSource.choices,
            "source_label": dict(ReferralSource.choices).get(values["source"], ""),
            "nav": "cohort",
            "page_title": ("Error: " if errors else "")
            + ("Check the referral" if checking else f"Refer {person.full_name} for the cohort"),
        },
        status=422 if errors else 200,
    )


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
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


def _decision_values(request: HttpRequest) -> dict[str, str]:
    names = ("decision", "tier", "lead_agency", "reason", "note")
    return {name: request.POST.get(name, "").strip()[:6000] for name in names}


def _decide(request: HttpRequest, referral, values: dict[str, str], errors: dict[str, str]):
    """Check (or, confirmed, carry out) the panel's decision; a response when it is done."""
    viewer = request.user
    review_on = _date(request, "review_on", "the review date", errors)
    if values["decision"] == "accept":
        if _confirmed(request) and not errors:
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
        if _confirmed(request):
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
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral, its history, and for the panel the decision: accept or decline, then check."""
    viewer = request.user
    found = selectors.referral_for(viewer, referral_id)
    if found is None:
        raise Http404("No such referral")
    is_panel = services.is_selection_panel(viewer)
    values = _decision_values(request) if request.method == "POST" else {}
    errors: dict[str, str] = {}
    checking = False
    review_on = None
    if request.method == "POST":
        if not is_panel:
            raise PermissionDenied("Only the selection panel (a partnership manager) can decide a referral.")
        try:
            outcome = _decide(request, found, values, errors)
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
    return render(
        request,
        "people/cohort/referral_check.html" if checking else "people/cohort/referral.html",
        {
            "referral": found,
            "history": found.changes.select_related("by__agency"),
            "is_panel": is_panel and found.status == ReferralStatus.AWAITING_PANEL,
            "values": values,
            "errors": errors,
            "tiers": Tier.choices,
            "tier_label": dict(Tier.choices).get(values.get("tier", ""), ""),
            "agencies": agencies,
            "agency_name": next((a.name for a in agencies if a.code == values.get("lead_agency")), ""),
            "review_on": review_on,
            "review_parts": _date_parts(request, "review_on") if request.method == "POST" else {},
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + f"Referral {found.number}",
        },
        status=422 if errors else 200,
    )


# --- a membership ---------------------------------------------------------------------------------


def _change_membership(request: HttpRequest, membership) -> str:
    """Carry out the change the posted form asks for; the success message."""
    viewer = request.user
    change = request.POST.get("change", "")
    if change == "assign":
        username = request.POST.get("key_worker", "")[:150]
        worker = (
            selectors.possible_key_workers(viewer).filter(username=username).first() if username else None
        )
        services.assign_key_worker(membership, by=viewer, key_worker=worker)
        return f"{worker} is now a key worker."
    if change == "remove":
        worker = membership.key_workers.filter(username=request.POST.get("key_worker", "")[:150]).first()
        if worker is None:
            raise InvalidInput(
                "Choose a key worker to remove.", field_errors={"key_worker": "Choose a key worker"}
            )
        services.remove_key_worker(
            membership, by=viewer, key_worker=worker, reason=request.POST.get("reason", "")
        )
        return f"{worker} is no longer a key worker."
    if change == "tier":
        services.change_tier(
            membership,
            by=viewer,
            tier=request.POST.get("tier", ""),
            reason=request.POST.get("tier_reason", ""),
        )
        return "The tier is changed."
    if change == "review":
        errors: dict[str, str] = {}
        review_on = _date(request, "review_on", "the review date", errors, required=True)
        if errors:
            raise InvalidInput("The review date was not set.", field_errors=errors)
        services.set_review_date(membership, by=viewer, review_on=review_on)
        return "The review date is set."
    raise InvalidInput("Choose what to change.", field_errors={"change": "Choose what to change"})


@login_required
@require_http_methods(["GET", "POST"])
def membership(request: HttpRequest, membership_id: int) -> HttpResponse:
    """A membership: tier, lead agency, key workers and how to reach them, review date, history."""
    viewer = request.user
    found = selectors.membership_for(viewer, membership_id)
    if found is None:
        raise Http404("No such membership")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            messages.success(request, _change_membership(request, found))
            return redirect("people:membership", membership_id=found.pk)
        except InvalidInput as error:
            change = request.POST.get("change", "")
            errors = {
                name if name == "review_on" else f"{change}_{name}": text
                for name, text in error.field_errors.items()
            } or {"change": error.message}
        except DomainError as error:
            raise PermissionDenied(error.message) from error
    return render(
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
            "errors": errors,
            "posted": request.POST,
            "review_parts": _date_parts(request, "review_on") if request.method == "POST" else {},
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + f"{found.person.full_name}: cohort membership",
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The panel takes a member off the cohort: reason and date, then check, then confirm."""
    viewer = request.user
    found = selectors.membership_for(viewer, membership_id)
    if found is None:
        raise Http404("No such membership")
    if not services.is_selection_panel(viewer):
        raise PermissionDenied(
            "Only the selection panel (a partnership manager) can take someone off the cohort."
        )
    errors: dict[str, str] = {}
    values = {
        "reason": request.POST.get("reason", "")[:40],
        "note": request.POST.get("note", "").strip()[:5000],
    }
    ended_on = None
    checking = False
    if request.method == "POST":
        ended_on = _date(request, "ended_on", "the date they left", errors)
        try:
            if not errors and _confirmed(request):
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
    return render(
        request,
        "people/cohort/leave_check.html" if checking else "people/cohort/leave.html",
        {
            "membership": found,
            "person": found.person,
            "values": values,
            "reason_label": dict(ExitReason.choices).get(values["reason"], ""),
            "reasons": ExitReason.choices,
            "ended_on": ended_on,
            "ended_parts": _date_parts(request, "ended_on") if request.method == "POST" else {},
            "errors": errors,
            "nav": "cohort",
            "page_title": ("Error: " if errors else "") + f"{found.person.full_name} leaves the cohort",
        },
        status=422 if errors else 200,
    )


# --- landing pages --------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
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
def my_caseload(request: HttpRequest) -> HttpResponse:
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
