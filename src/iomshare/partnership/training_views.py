"""Training administration pages: the agency's expiry list and recording a renewal. Thin: the rules
are partnership.training's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from iomshare.errors import DomainError
from iomshare.partnership import training
from iomshare.partnership.models import StaffMember
from iomshare.partnership.notices import add_notice
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.partnership.training_forms import RenewalForm


def _check_manager(request: SignedInRequest) -> StaffMember:
    viewer = request.user
    if not training.may_manage_training(viewer):
        raise PermissionDenied("Training records are kept by each agency's administrators and managers.")
    return viewer


@login_required
def expiry_list(request: SignedInRequest) -> HttpResponse:
    """The viewer's agency's staff and volunteers with training or vetting expired or expiring soon."""
    viewer = _check_manager(request)
    found = training.expiries(agency_id=viewer.agency_id)
    return render(
        request,
        "partnership/training_expiry.html",
        {
            "expired": [e for e in found if e.is_expired],
            "expiring": [e for e in found if not e.is_expired],
            "page_title": "Training and vetting to renew",
            "nav": "governance",
        },
    )


@login_required
def record_renewal(request: SignedInRequest, staff_id: int) -> HttpResponse:
    """Record one renewal of a person of the viewer's own agency, with its history beside it."""
    viewer = _check_manager(request)
    staff = get_object_or_404(StaffMember, pk=staff_id, agency_id=viewer.agency_id, is_active=True)
    form = RenewalForm(
        request.POST if request.method == "POST" else None,
        initial={"subject": request.GET.get("subject", "")},
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                training.record_renewal(
                    staff,
                    subject=data["subject"],
                    completed_on=data["completed_on"],
                    expires_on=data["expires_on"],
                    by=viewer,
                )
            except DomainError as error:
                for field, message in (error.field_errors or {"subject": error.message}).items():
                    form.add_error(field, message)
            else:
                add_notice(request, f"The renewal for {staff} is recorded.")
                return redirect("partnership:training-renewal", staff.pk)
        errors = {name: str(messages[0]) for name, messages in form.errors.items()}
    training_records, vetting_renewals = training.history_of(staff)
    return render(
        request,
        "partnership/training_renewal.html",
        {
            "staff": staff,
            "form": form,
            "errors": errors,
            "completed_parts": form.parts("completed_on"),
            "expires_parts": form.parts("expires_on"),
            "training_records": training_records,
            "vetting_renewals": vetting_renewals,
            "page_title": f"{'Error: ' if errors else ''}Record a renewal for {staff}",
            "nav": "governance",
        },
        status=400 if errors else 200,
    )
