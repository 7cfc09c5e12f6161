"""Account pages: one's own account, sessions and second factors, and an administrator's reset."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership import second_factor, selectors, session_policy, sessions
from iomshare.partnership.account_forms import ResetSecondFactorForm
from iomshare.partnership.models import Role, StaffMember
from iomshare.partnership.notices import add_notice
from iomshare.partnership.signed_in import SignedInRequest


@login_required
def account(request: SignedInRequest) -> HttpResponse:
    """One's own account: password, second factors, where one is signed in, and recent sign-ins."""
    viewer = request.user
    return render(
        request,
        "partnership/account.html",
        {
            "page_title": "Your account",
            "nav": "account",
            "factors": selectors.second_factors_of(viewer),
            "sessions": sessions.active_sessions_of(viewer),
            "current_session_key": request.session.session_key,
            "sign_ins": selectors.recent_sign_ins(viewer),
        },
    )


@login_required
def set_up_second_factor(request: SignedInRequest) -> HttpResponse:
    """First sign-in enrolment: choose an authenticator app or a security key."""
    return render(
        request,
        "partnership/set_up_second_factor.html",
        {
            "page_title": "Set up a second way to prove it is you",
            "must_enrol": second_factor.must_enrol(request),
        },
    )


def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left in this session (GET, not counted as activity), or keep it alive (POST).

    The timeout warning asks before it shows; a session already ended answers 401.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    if request.method == "POST":
        session_policy.keep_alive(request)
    return JsonResponse({"signed_in": True, "seconds_left": session_policy.seconds_left(request)})


@require_POST
@login_required
def sign_out_everywhere(request: SignedInRequest) -> HttpResponse:
    sessions.sign_out_everywhere(request, by=request.user)
    add_notice(request, "You have been signed out everywhere, on this device and every other.")
    return redirect(settings.LOGIN_URL)


@login_required
def reset_second_factor(request: SignedInRequest, staff_id: int) -> HttpResponse:
    """An administrator removes someone's second factors (lost phone or key), giving a reason."""
    viewer = request.user
    if not (viewer.is_superuser or viewer.role == Role.ADMIN):
        raise PermissionDenied("Only an administrator can reset someone's second factor.")
    staff = get_object_or_404(StaffMember, pk=staff_id)
    if not viewer.is_superuser and staff.agency_id != viewer.agency_id:
        raise PermissionDenied("You can reset second factors only for your own agency's staff.")
    errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        form = ResetSecondFactorForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data["reason"]
        try:
            removed = second_factor.reset_second_factor(staff, reason=reason, by=viewer)
        except DomainError as error:
            errors = error.field_errors or {"reason": error.message}
        else:
            add_notice(
                request,
                f"{staff} has no second factor now ({removed} removed) and every session of theirs has ended. "
                "They will set one up when they next sign in.",
            )
            return redirect("partnership:account")
    return render_form_page(
        request,
        "partnership/reset_second_factor.html",
        {"staff": staff, "factors": selectors.second_factors_of(staff), "reason": reason},
        title=f"Reset the second factor of {staff}",
        errors=errors,
    )
