"""The machine API's bulk extracts: ask for one (202 and its Location), follow it, download it.

A worker builds the extract through the one door and keeps it sealed for 24 hours; only the account
that asked may fetch it (anyone else is told it does not exist, and the attempt is on the ledger).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from iomshare.exchange import extract_runs
from iomshare.exchange.models import ExtractRun, ExtractStatus
from iomshare.exchange.views import extract_response
from iomshare.kit.api import PROBLEMS, caller

router = Router(tags=["imports and exports"])


class ExtractIn(Schema):
    format: Literal["json", "csv"] = "json"
    purpose: str = Field(
        "",
        max_length=200,
        description="The purpose code (one your agency's protocols cover) for other agencies' items; "
        "none for your own agency's. Recorded on the ledger.",
    )
    person_ids: list[uuid.UUID] | None = Field(
        None, description="Only these people (those you may know of); everyone you may know if left out."
    )


class ExtractOut(Schema):
    id: uuid.UUID
    status: str = Field(description="queued, building, ready, failed or expired.")
    format: str
    purpose: str
    progress: float = Field(description="Share of the people gone through, 0 to 1.")
    people_done: int
    people_total: int
    people_in_file: int
    items_in_file: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
    download: str | None = Field(description="Where to fetch the file, once ready and until it expires.")

    @staticmethod
    def resolve_format(obj) -> str:
        return obj.file_format

    @staticmethod
    def resolve_download(obj) -> str | None:
        if obj.status != ExtractStatus.READY:
            return None
        return reverse("api-v1:extract-file", kwargs={"extract_id": obj.pk})


def _run(request: HttpRequest, extract_id: uuid.UUID) -> ExtractRun:
    by = caller(request)
    extract_runs.check_may_extract(by)
    return extract_runs.run_for(by, extract_id)


@router.post("/extracts", response={202: ExtractOut, **PROBLEMS}, url_name="extracts")
def ask(request: HttpRequest, response: HttpResponse, body: ExtractIn):
    """Ask for a bulk extract of every item you may see (extract.schema.json, or CSV), built by a worker."""
    run = extract_runs.ask_for_extract(
        caller(request), file_format=body.format, purpose=body.purpose, person_ids=body.person_ids
    )
    response["Location"] = reverse("api-v1:extract", kwargs={"extract_id": run.pk})
    return Status(202, run)


@router.get("/extracts/{extract_id}", response={200: ExtractOut, **PROBLEMS}, url_name="extract")
def status(request: HttpRequest, extract_id: uuid.UUID):
    """A bulk extract's progress, and where to download it once it is ready."""
    return _run(request, extract_id)


@router.get("/extracts/{extract_id}/file", response={200: None, **PROBLEMS}, url_name="extract-file")
def download(request: HttpRequest, extract_id: uuid.UUID):
    """The built extract (JSON or CSV), for the account that asked for it, until it expires."""
    run = _run(request, extract_id)
    return extract_response(run, extract_runs.download(run, by=caller(request)))
