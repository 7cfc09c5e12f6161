"""Importing extracts, exporting pictures and asking for bulk extracts in the browser.

An upload is checked first (a dry run, in the background for large files) and its page shows the
progress, then the counts and every problem; only then can it be imported.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from iomshare.errors import DomainError
from iomshare.exchange import exports, extract_runs, import_runs, imports, runs
from iomshare.exchange.forms import CommitForm, ExtractForm, UploadForm
from iomshare.exchange.models import ExtractRun, ImportProfile, ImportRun
from iomshare.kit.form_pages import render_form_page
from iomshare.partnership.models import Role
from iomshare.partnership.signed_in import SignedInRequest
from iomshare.people.selectors import person_profile
from iomshare.protocols.decisions import purposes_for

ROLES_THAT_EXTRACT = extract_runs.ROLES_THAT_EXTRACT
RECENT_RUNS = 20


def _may_import(request: SignedInRequest) -> int:
    """The importer's agency (its id): only an agency's IG lead, manager or system account imports."""
    if request.user.agency_id is None or request.user.role not in imports.ROLES_THAT_IMPORT:
        raise PermissionDenied(
            "Only an information-governance lead, partnership manager or system account imports."
        )
    return request.user.agency_id


def _run_or_404(request: SignedInRequest, run_id) -> ImportRun:
    agency_id = _may_import(request)
    run = (
        ImportRun.objects.select_related("profile__agency", "profile__form", "started_by")
        .filter(pk=run_id, profile__agency_id=agency_id)
        .first()
    )
    if run is None:
        raise Http404("No such import")
    return run


@login_required
def upload(request: SignedInRequest) -> HttpResponse:
    """Choose a profile and a file; the file is checked before anything can be imported."""
    agency_id = _may_import(request)
    profiles = ImportProfile.objects.filter(agency_id=agency_id).select_related("form")
    errors: dict[str, str] = {}
    chosen = ""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        form.is_valid()
        chosen = form.cleaned_data["profile"]
        profile = profiles.filter(name=chosen).first()
        upload = form.cleaned_data["file"]
        if profile is None:
            errors["profile"] = "Select the kind of extract"
        if upload is None:
            errors["file"] = "Choose the extract file to upload"
        if profile is not None and upload is not None:
            try:
                run = import_runs.create_run(
                    profile, chunks=upload.chunks(), file_name=upload.name, by=request.user
                )
            except DomainError as error:
                errors = error.field_errors or {"file": error.message}
            else:
                runs.start(import_runs.check_run, run)
                return redirect("exchange:import-run", run.pk)
    return render_form_page(
        request,
        "exchange/upload.html",
        {
            "profiles": profiles,
            "chosen": chosen,
            "runs": ImportRun.objects.filter(profile__agency_id=agency_id).select_related("profile")[
                :RECENT_RUNS
            ],
            "max_size": _size(import_runs.max_upload_bytes()),
            "nav": "imports",
        },
        title="Import an extract",
        errors=errors,
    )


def _run_context(run: ImportRun) -> dict:
    run = runs.notice_stopped(run)
    return {
        "run": run,
        "progress": import_runs.live_progress(run),
        "rows_new": run.rows_valid - run.rows_already_imported,
    }


@login_required
def run_page(request: SignedInRequest, run_id) -> HttpResponse:
    run = _run_or_404(request, run_id)
    return render(
        request,
        "exchange/run.html",
        {**_run_context(run), "nav": "imports", "page_title": f"Import of {run.file_name}"},
    )


@login_required
def run_status(request: SignedInRequest, run_id) -> HttpResponse:
    """The run's status panel alone: the run page polls it (HTMX) until the run finishes."""
    return render(request, "exchange/_run_status.html", _run_context(_run_or_404(request, run_id)))


@login_required
@require_POST
def commit(request: SignedInRequest, run_id) -> HttpResponse:
    run = _run_or_404(request, run_id)
    form = CommitForm(request.POST)
    form.is_valid()
    try:
        run = import_runs.begin_import(run, accept_valid_rows=form.cleaned_data["accept_valid_rows"] == "yes")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("exchange:import-run", run.pk)
    runs.start(import_runs.commit_run, run)
    return redirect("exchange:import-run", run.pk)


@login_required
@require_POST
def restart(request: SignedInRequest, run_id) -> HttpResponse:
    """Start a run again whose worker stopped (or whose check or import failed)."""
    run = _run_or_404(request, run_id)
    try:
        runs.restart(run, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("exchange:import-run", run.pk)


@login_required
def rejects(request: SignedInRequest, run_id) -> FileResponse:
    run = _run_or_404(request, run_id)
    if not run.rejects_path or not Path(run.rejects_path).is_file():
        raise Http404("No rejected rows")
    return FileResponse(
        Path(run.rejects_path).open("rb"),
        as_attachment=True,
        filename=f"{Path(run.file_name).stem}-rejected-rows.csv",
        content_type="text/csv; charset=utf-8",
    )


def _may_export(request: SignedInRequest) -> None:
    if request.user.agency_id is None or request.user.role == Role.VOLUNTEER or request.user.is_volunteer:
        raise PermissionDenied("Volunteers cannot export information.")


def _size(size_bytes: int) -> str:
    """'1 GB' or '250 MB': a file limit as a person writes it."""
    megabytes = size_bytes // (1024 * 1024)
    if megabytes >= 1024:
        return f"{megabytes / 1024:g} GB"
    return f"{megabytes} MB"


@login_required
def export_person(request: SignedInRequest, person_id, file_format: str) -> HttpResponse:
    """Download what the viewer may see about one person, as standard JSON or CSV."""
    _may_export(request)
    if file_format not in {"json", "csv"}:
        raise Http404("Exports are JSON or CSV")
    person = person_profile(person_id, request.user)
    if person is None:
        raise Http404("No such person")
    purpose = request.GET.get("purpose", "")[:200]
    purposes = purposes_for(request.user)
    if purpose and purpose not in {option.code for option in purposes}:
        return _export_page(
            request,
            person,
            purposes,
            file_format,
            purpose,
            {
                "purpose": "The purpose in the link is not one you may export for. Select one of the purposes "
                "listed, or none to export your own agency's records"
            },
        )
    return _picture_download(request, person, file_format, purpose)


def _picture_download(request: SignedInRequest, person, file_format: str, purpose: str) -> HttpResponse:
    name = f"{person.family_name}-{person.given_name}-{person.pk}".replace(" ", "-")
    if file_format == "json":
        body = json.dumps(
            exports.picture_document(request.user, person, purpose=purpose), indent=2, ensure_ascii=False
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(
            exports.picture_csv(request.user, person, purpose=purpose), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@login_required
def export_person_page(request: SignedInRequest, person_id) -> HttpResponse:
    """Choose the format and the purpose of a person's picture, then download it.

    Other agencies' items come only for a purpose an active protocol covers (purpose first), so the
    purposes offered are the viewer's; without one the export holds the viewer's own agency's items.
    """
    _may_export(request)
    person = person_profile(person_id, request.user)
    if person is None:
        raise Http404("No such person")
    purposes = purposes_for(request.user)
    errors: dict[str, str] = {}
    file_format = request.GET.get("format", "")
    purpose = request.GET.get("purpose", "")
    if "format" in request.GET or "purpose" in request.GET:
        if file_format not in {"json", "csv"}:
            errors["format"] = "Select the format of the download"
        if purpose and purpose not in {option.code for option in purposes}:
            errors["purpose"] = (
                "Select one of the purposes listed, or none to export your own agency's records"
            )
        if not errors:
            return _picture_download(request, person, file_format, purpose)
    return _export_page(request, person, purposes, file_format, purpose, errors)


def _export_page(request, person, purposes, file_format: str, purpose: str, errors: dict) -> HttpResponse:
    return render_form_page(
        request,
        "exchange/export_person.html",
        {
            "person": person,
            "purposes": purposes,
            "chosen_format": file_format,
            "chosen_purpose": purpose,
            "nav": "cohort",
        },
        title=f"Export {person.given_name} {person.family_name}'s picture",
        errors=errors,
    )


def _may_extract(request: SignedInRequest) -> None:
    try:
        extract_runs.check_may_extract(request.user)
    except DomainError as error:
        raise PermissionDenied(error.message) from error


@login_required
def extracts(request: SignedInRequest) -> HttpResponse:
    """Ask for a bulk extract (everything the viewer may see, as standard JSON or CSV): a worker builds
    it, and its page shows the progress, then the download."""
    _may_extract(request)
    purposes = purposes_for(request.user)
    file_format = purpose = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = ExtractForm(request.POST)
        form.is_valid()
        file_format, purpose = form.cleaned_data["format"], form.cleaned_data["purpose"]
        try:
            run = extract_runs.ask_for_extract(request.user, file_format=file_format, purpose=purpose)
        except DomainError as error:
            errors = error.field_errors or {"format": error.message}
        else:
            return redirect("exchange:extract-run", run.pk)
    return render_form_page(
        request,
        "exchange/extracts.html",
        {
            "purposes": purposes,
            "chosen_purpose": purpose,
            "chosen_format": file_format,
            "runs": ExtractRun.objects.filter(requested_by=request.user)[:RECENT_RUNS],
            "nav": "imports",
        },
        title="Extract in bulk",
        errors=errors,
    )


def _extract_or_404(request: SignedInRequest, extract_id) -> ExtractRun:
    _may_extract(request)
    try:
        return extract_runs.run_for(request.user, extract_id)
    except DomainError as error:
        raise Http404(error.message) from error


@login_required
def extract_run_page(request: SignedInRequest, extract_id) -> HttpResponse:
    run = _extract_or_404(request, extract_id)
    return render(
        request,
        "exchange/extract_run.html",
        {"run": run, "nav": "imports", "page_title": f"Bulk extract ({run.get_status_display().lower()})"},
    )


@login_required
def extract_run_status(request: SignedInRequest, extract_id) -> HttpResponse:
    """The extract's status panel alone: its page polls it (HTMX) until the extract is built."""
    return render(request, "exchange/_extract_status.html", {"run": _extract_or_404(request, extract_id)})


@login_required
@require_POST
def extract_restart(request: SignedInRequest, extract_id) -> HttpResponse:
    run = _extract_or_404(request, extract_id)
    try:
        extract_runs.restart(run, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("exchange:extract-run", run.pk)


@login_required
def extract_download(request: SignedInRequest, extract_id) -> StreamingHttpResponse:
    """The built extract, opened from its sealed file for its requester alone."""
    run = _extract_or_404(request, extract_id)
    try:
        chunks = extract_runs.download(run, by=request.user)
    except DomainError as error:
        raise Http404(error.message) from error
    return extract_response(run, chunks)


def extract_response(run: ExtractRun, chunks) -> StreamingHttpResponse:
    is_json = run.file_format == "json"
    response = StreamingHttpResponse(
        chunks, content_type="application/json; charset=utf-8" if is_json else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="iomshare-extract-{run.pk}.{run.file_format}"'
    return response
