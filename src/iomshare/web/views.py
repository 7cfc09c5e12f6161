"""The web shell: signing in and out, and the information-governance hub."""

from __future__ import annotations

from allauth.account.views import LoginView
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from iomshare.identity import selectors as identity
from iomshare.information_requests import selectors as requests
from iomshare.information_requests.models import RequestStatus
from iomshare.partnership import selectors as partnership
from iomshare.partnership.models import Role
from iomshare.partnership.single_sign_on.claims import provider_origins
from iomshare.protocols import selectors as protocols
from iomshare.retention import selectors as retention
from iomshare.web.middleware import CONTENT_SECURITY_POLICY


class SignIn(LoginView):
    """The sign-in page: django-allauth's, so a second factor and lockout follow the password."""

    template_name = "web/sign_in.html"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if origins := provider_origins():
            # The agency sign-in buttons post here and are redirected on to the agency's provider.
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", " ".join(["form-action 'self'", *origins])
            )
        return response

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        data = kwargs.get("data")
        if data is not None and "login" not in data and "username" in data:
            # The page's field was once called "username"; scripts and tests that post it still work.
            data = data.copy()
            data["login"] = data["username"]
            kwargs["data"] = data
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["login"].error_messages["required"] = "Enter your username"
        form.fields["password"].error_messages["required"] = "Enter your password"
        return form

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


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
            "protocol_drafts": protocols.drafts_awaiting_approval(viewer.agency_id).count(),
        }
    return render(
        request,
        "web/governance.html",
        {"waiting": waiting, "nav": "governance", "page_title": "Information governance"},
    )


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    """Who to ask at each agency about information governance and accounts, and the support desk."""
    return render(
        request,
        "web/contacts.html",
        {"agencies": partnership.agency_contacts(), "page_title": "Who to contact"},
    )
