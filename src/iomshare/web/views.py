"""The web shell: signing in and out, and the information-governance hub."""

from __future__ import annotations

from allauth.account.views import LoginView
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from iomshare.governance.dashboards import ig_lead_dashboard
from iomshare.partnership import selectors as partnership
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.partnership.single_sign_on.claims import provider_origins
from iomshare.partnership.training import may_manage_training
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
def governance(request: SignedInRequest) -> HttpResponse:
    """One page for the information-governance tools, with what is waiting for a decision."""
    viewer = request.user
    if viewer.role not in GOVERNANCE_ROLES:
        raise PermissionDenied(
            "The governance tools are for information-governance leads, partnership managers and administrators."
        )
    # The IG lead's dashboard is the hub's top section: what waits for their agency, by due date.
    dashboard = ig_lead_dashboard(viewer) if viewer.role == Role.IG_LEAD and viewer.agency_id else None
    return render(
        request,
        "web/governance.html",
        {
            "dashboard": dashboard,
            "may_manage_training": may_manage_training(viewer),
            "nav": "governance",
            "page_title": "Information governance",
        },
    )


@login_required
def contacts(request: SignedInRequest) -> HttpResponse:
    """Who to ask at each agency about information governance and accounts, and the support desk."""
    return render(
        request,
        "web/contacts.html",
        {"agencies": partnership.agency_contacts(), "page_title": "Who to contact"},
    )
