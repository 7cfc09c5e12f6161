"""The page for the selection panel's file of cohort changes: upload, check, then import.

The same rules as `iomshare cohort-import` (exchange.cohort_changes): the check tries every row and
writes nothing, naming each problem's row and column; the import applies every row or none, and the
result lists what changed. Thin: parse, call, render.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from iomshare.errors import DomainError
from iomshare.exchange import cohort_uploads
from iomshare.exchange.cohort_changes import CHANGES, OPTIONAL, REQUIRED, CohortFileOutcome, apply_file
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest

SESSION_KEY = "cohort_changes_file"


class CohortFileForm(forms.Form):
    file = forms.FileField(required=False)
    kept = forms.CharField(required=False, max_length=60)
    step = forms.ChoiceField(required=False, choices=[("check", "check"), ("import", "import")])


def _may_upload(request: SignedInRequest) -> None:
    if request.user.role != Role.PARTNERSHIP_MANAGER or request.user.agency_id is None:
        raise PermissionDenied("Only a partnership manager applies the selection panel's cohort changes.")


def _page(
    request: SignedInRequest, *, errors=None, outcome: CohortFileOutcome | None = None, kept="", name=""
):
    errors = errors or {}
    title = "Cohort changes file"
    if outcome is not None:
        title = (
            "Cohort changes imported"
            if not outcome.checked_only and outcome.ok
            else "Check of the cohort changes file"
        )
    return render(
        request,
        "exchange/cohort_changes.html",
        {
            "errors": errors,
            "outcome": outcome,
            "kept": kept,
            "file_name": name,
            "required": REQUIRED,
            "optional": OPTIONAL,
            "changes": CHANGES,
            "nav": "imports",
            "page_title": ("Error: " if errors or (outcome and outcome.problems) else "") + title,
            "heading": title,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_changes(request: SignedInRequest) -> HttpResponse:
    """Upload a file and see its check; import it once the check found no problems."""
    _may_upload(request)
    if request.method == "GET":
        return _page(request)
    form = CohortFileForm(request.POST, request.FILES)
    form.is_valid()
    data = form.cleaned_data
    if data.get("step") == "import":
        remembered = request.session.get(SESSION_KEY) or {}
        path = cohort_uploads.kept_path(remembered.get("kept", ""))
        if path is None or remembered.get("kept") != data.get("kept"):
            return _page(request, errors={"file": "The checked file is no longer here: upload it again"})
        outcome = apply_file(path, by=request.user)
        cohort_uploads.discard(remembered["kept"])
        request.session.pop(SESSION_KEY, None)
        return _page(request, outcome=outcome, name=remembered.get("name", ""))
    upload = data.get("file")
    if upload is None:
        return _page(request, errors={"file": "Choose the cohort changes file to upload"})
    try:
        kept = cohort_uploads.keep_upload(upload.chunks(), file_name=upload.name)
    except DomainError as error:
        return _page(request, errors=error.field_errors or {"file": error.message})
    path = cohort_uploads.kept_path(kept)
    if path is None:
        return _page(request, errors={"file": "The file could not be kept for the import: upload it again"})
    outcome = apply_file(path, by=request.user, check_only=True)
    if outcome.ok:
        request.session[SESSION_KEY] = {"kept": kept, "name": upload.name[:200]}
    else:
        cohort_uploads.discard(kept)
    return _page(request, outcome=outcome, kept=kept if outcome.ok else "", name=upload.name[:200])
