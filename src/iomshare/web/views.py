"""The web shell: signing in and out, and the information-governance hub."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from iomshare.identity import selectors as identity
from iomshare.information_requests import selectors as requests
from iomshare.information_requests.models import RequestStatus
from iomshare.partnership.models import Role
from iomshare.retention import selectors as retention


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    errors: dict[str, str] = {}
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username:
            errors["username"] = "Enter your username"
        if not password:
            errors["password"] = "Enter your password"  # noqa: S105 (a message, not a secret)
        if not errors:
            user = authenticate(request, username=username, password=password)
            if user is not None:
                login(request, user)
                return redirect(next_url or landing_page(user))
            errors["username"] = "The username or password is not right"
    return render(
        request,
        "web/sign_in.html",
        {"errors": errors, "username": username, "next": next_url, "page_title": "Sign in"},
        status=400 if errors else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:sign-in")


# Where each role starts: practitioners and volunteers on their caseload, IG leads on the governance
# hub, partnership managers on the cohort dashboard; anyone else on the cohort.
LANDING_PAGES = {
    Role.PRACTITIONER: "people:caseload",
    Role.VOLUNTEER: "people:caseload",
    Role.IG_LEAD: "web:governance",
    Role.PARTNERSHIP_MANAGER: "people:dashboard",
}


def landing_page(user) -> str:
    """The URL name of the first page `user` sees after signing in."""
    if user.is_volunteer:
        return "people:caseload"
    return LANDING_PAGES.get(user.role, "people:cohort")


def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_page(request.user) if request.user.is_authenticated else "web:sign-in")


GOVERNANCE_ROLES = frozenset({Role.IG_LEAD, Role.PARTNERSHIP_MANAGER, Role.ADMIN})


@login_required
def governance(request: HttpRequest) -> HttpResponse:
    """One page for the information-governance tools, with what is waiting for a decision."""
    viewer = request.user
    if viewer.role not in GOVERNANCE_ROLES:
        raise PermissionDenied(
            "The governance tools are for information-governance leads, partnership managers and administrators."
        )
    waiting = {}
    if viewer.role == Role.IG_LEAD and viewer.agency_id:
        waiting = {
            "requests": requests.queue_for(viewer).filter(status=RequestStatus.AWAITING_DECISION).count(),
            "overdue_requests": requests.queue_for(viewer)
            .filter(status=RequestStatus.AWAITING_DECISION, due_on__lt=timezone.localdate())
            .count(),
            "reviews": retention.open_reviews(viewer.agency_id).count(),
            "stale": retention.stale_items(viewer.agency_id).count(),
            "identity": identity.open_review_cases().count() + identity.open_conflicts().count(),
        }
    return render(
        request,
        "web/governance.html",
        {"waiting": waiting, "nav": "governance", "page_title": "Information governance"},
    )
