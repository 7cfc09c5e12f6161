"""The machine API's imports and exports: upload an extract (checked, then imported), export pictures.

An upload is checked, and imported if asked, in the background: the response is 202 with the run,
and `GET /imports/{id}` shows its progress, counts and every problem.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from iomshare.errors import NotFound, NotPermitted
from iomshare.exchange import exports, import_runs, runs
from iomshare.exchange.models import ImportProfile, ImportRun
from iomshare.kit.api import PROBLEMS, caller, caller_agency_id
from iomshare.partnership.models import Role
from iomshare.people.api import person_or_404

router = Router(tags=["imports and exports"])


class ProfileOut(Schema):
    name: str
    title: str
    file_type: str
    key_column: str
    person_column: str
    person_scheme: str
    form: str | None
    columns: dict[str, str]
    date_format: str

    @staticmethod
    def resolve_form(obj) -> str | None:
        return f"{obj.form.code}/v{obj.form.version}" if obj.form else None


class ProblemOut(Schema):
    row: int = Field(description="Row as a spreadsheet shows it (the header is row 1); 0 for the whole file.")
    column: str
    value: str
    reason: str


class RunOut(Schema):
    id: uuid.UUID
    profile: str
    file_name: str
    file_sha256: str
    status: str
    accept_valid_rows: bool
    progress: float
    rows_read: int
    rows_valid: int
    rows_rejected: int
    rows_already_imported: int
    rows_created: int
    problem_count: int
    problems: list[ProblemOut] = Field(description="The first 10,000 problems.")
    message: str
    created_at: dt.datetime
    checked_at: dt.datetime | None
    imported_at: dt.datetime | None
    rejected_rows: str | None = Field(description="Where to fetch the rejected rows (CSV), once imported.")

    @staticmethod
    def resolve_profile(obj) -> str:
        return obj.profile.name

    @staticmethod
    def resolve_progress(obj) -> float:
        return import_runs.live_progress(obj)

    @staticmethod
    def resolve_rejected_rows(obj) -> str | None:
        return reverse("api-v1:import-rejects", kwargs={"run_id": obj.pk}) if obj.rejects_path else None


class UploadParams(Schema):
    profile: str = Field(description="Name of your agency's import profile for this kind of extract.")
    dry_run: bool = Field(True, description="Only check the file (the default); false checks, then imports.")
    accept_valid_rows: bool = Field(
        False, description="With dry_run=false: import the valid rows even if some have problems."
    )


class CommitIn(Schema):
    accept_valid_rows: bool = False


class ExportParams(Schema):
    format: Literal["json", "csv"] = "json"
    purpose: str = Field(
        "",
        max_length=200,
        description="The purpose code (one your agency's protocols cover) for other "
        "agencies' items; none for your own agency's. Recorded on the ledger.",
    )


def _run(request: HttpRequest, run_id: uuid.UUID) -> ImportRun:
    run = (
        ImportRun.objects.select_related("profile__form")
        .filter(pk=run_id, profile__agency_id=caller_agency_id(request))
        .first()
    )
    if run is None:
        raise NotFound(f"There is no import {run_id} of your agency's.")
    return runs.notice_stopped(run)


def _accepted(response: HttpResponse, run: ImportRun):
    response["Location"] = reverse("api-v1:import-run", kwargs={"run_id": run.pk})
    return Status(202, run)


@router.get("/imports/profiles", response={200: list[ProfileOut], **PROBLEMS}, url_name="import-profiles")
def list_profiles(request: HttpRequest):
    """Your agency's import profiles: which columns each kind of extract must have."""
    return list(ImportProfile.objects.filter(agency_id=caller_agency_id(request)).select_related("form"))


@router.post("/imports", response={202: RunOut, **PROBLEMS}, url_name="imports")
def upload(
    request: HttpRequest, response: HttpResponse, params: Query[UploadParams], file: File[UploadedFile]
):
    """Upload an extract: it is checked (dry run) and, with dry_run=false, imported if valid."""
    by = caller(request)
    profile = ImportProfile.objects.filter(name=params.profile, agency_id=caller_agency_id(request)).first()
    if profile is None:
        raise NotFound(f"Your agency has no import profile called {params.profile!r}.")
    run = import_runs.create_run(
        profile,
        chunks=file.chunks(),
        file_name=file.name or "extract",
        by=by,
        accept_valid_rows=params.accept_valid_rows,
    )
    runs.start(import_runs.check_run if params.dry_run else import_runs.check_then_import, run)
    run.refresh_from_db()
    return _accepted(response, run)


@router.get("/imports/{run_id}", response={200: RunOut, **PROBLEMS}, url_name="import-run")
def get_run(request: HttpRequest, run_id: uuid.UUID):
    """An import's progress, counts and problems."""
    return _run(request, run_id)


@router.post("/imports/{run_id}/import", response={202: RunOut, **PROBLEMS}, url_name="import-commit")
def commit(request: HttpRequest, response: HttpResponse, run_id: uuid.UUID, body: CommitIn):
    """Import a checked extract (all its rows, or with accept_valid_rows its valid rows)."""
    run = import_runs.begin_import(_run(request, run_id), accept_valid_rows=body.accept_valid_rows)
    runs.start(import_runs.commit_run, run)
    run.refresh_from_db()
    return _accepted(response, run)


@router.post("/imports/{run_id}/restart", response={202: RunOut, **PROBLEMS}, url_name="import-restart")
def restart(request: HttpRequest, response: HttpResponse, run_id: uuid.UUID):
    """Start a failed run again (its worker stopped, say): its check, or its import if it was checked."""
    run = runs.restart(_run(request, run_id), by=caller(request))
    return _accepted(response, run)


@router.get("/imports/{run_id}/rejected-rows", url_name="import-rejects", response={200: None, **PROBLEMS})
def rejected_rows(request: HttpRequest, run_id: uuid.UUID):
    """The rows an import left out, with their problems, as CSV."""
    run = _run(request, run_id)
    if not run.rejects_path or not Path(run.rejects_path).is_file():
        raise NotFound("This import has no rejected rows file.")
    return FileResponse(Path(run.rejects_path).open("rb"), content_type="text/csv; charset=utf-8")


@router.get("/persons/{person_id}/export", url_name="export-person", response={200: None, **PROBLEMS})
def export_person(request: HttpRequest, person_id: uuid.UUID, params: Query[ExportParams]):
    """What you may see about a person in the standard JSON (person-picture.schema.json) or CSV."""
    by = caller(request)
    if by.role == Role.VOLUNTEER or by.is_volunteer:
        raise NotPermitted("Volunteers cannot export information.")
    person = person_or_404(person_id, by)
    if params.format == "csv":
        return HttpResponse(
            exports.picture_csv(by, person, purpose=params.purpose), content_type="text/csv; charset=utf-8"
        )
    document = exports.picture_document(by, person, purpose=params.purpose)
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/json")
