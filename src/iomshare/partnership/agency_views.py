"""Pages for a partnership administrator: the agencies, adding one and changing one.

Thin: the form parses, partnership.agencies decides and writes (with the ledger entry), the page renders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from iomshare.errors import InvalidInput
from iomshare.partnership import agencies
from iomshare.partnership.agency_forms import AgencyForm
from iomshare.partnership.models import Agency, StaffMember
from iomshare.partnership.notices import add_notice
from iomshare.partnership.signed_in import SignedInRequest


def _administrator(request: SignedInRequest) -> StaffMember:
    if not agencies.may_manage_agencies(request.user):
        raise PermissionDenied("Only a partnership administrator manages the agencies.")
    return request.user


@login_required
def agency_list(request: SignedInRequest) -> HttpResponse:
    _administrator(request)
    return render(
        request,
        "partnership/agencies.html",
        {
            "agencies": Agency.objects.prefetch_related("identifier_schemes").order_by("name"),
            "today": timezone.localdate(),
            "nav": "governance",
            "page_title": "Agencies",
        },
    )


def _form_page(request: SignedInRequest, form: AgencyForm, agency: Agency | None) -> HttpResponse:
    errors = {name: str(problems[0]) for name, problems in form.errors.items()}
    title = f"Change {agency.name}" if agency else "Add an agency"
    return render(
        request,
        "partnership/agency_form.html",
        {
            "form": form,
            "agency": agency,
            "errors": errors,
            "parts": form.date_parts(),
            "nav": "governance",
            "page_title": ("Error: " if errors else "") + title,
            "heading": title,
        },
        status=422 if errors else 200,
    )


def _save(request: SignedInRequest, form: AgencyForm, agency: Agency | None) -> Agency | None:
    """The agency added or changed, or None with every problem added to the form (nothing written)."""
    by = request.user
    try:
        if not form.is_valid():  # an unreadable answer: name every other problem too, write nothing
            answers = {k: v for k, v in form.answers().items() if k != "identifier_schemes"}
            raise InvalidInput("", field_errors=agencies.problems(agency, **answers))
        if agency is None:
            return agencies.add_agency(by=by, **form.answers())
        return agencies.change_agency(agency, by=by, **form.answers())
    except InvalidInput as error:
        for name, message in (
            error.field_errors or ({"name": error.message} if error.message else {})
        ).items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, message)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def add_agency(request: SignedInRequest) -> HttpResponse:
    _administrator(request)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and (saved := _save(request, form, None)) is not None:
        add_notice(
            request, f"{saved.name} is added. It receives nothing until a protocol names it.", kind="success"
        )
        return redirect("partnership:agencies")
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def change_agency(request: SignedInRequest, code: str) -> HttpResponse:
    _administrator(request)
    agency = get_object_or_404(Agency, code=code)
    form = AgencyForm(request.POST or None, agency=agency)
    if request.method == "POST" and (saved := _save(request, form, agency)) is not None:
        add_notice(request, f"{saved.name} is changed.", kind="success")
        return redirect("partnership:agencies")
    return _form_page(request, form, agency)
