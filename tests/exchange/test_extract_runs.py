"""Bulk extracts as runs: asked for, built page by page through the door, sealed, for the asker only,
deleted when they expire (issues 15 and 19)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from iomshare.exchange import exports, extract_runs
from iomshare.exchange.models import ExtractRun, ExtractStatus
from iomshare.ledger.models import Action, LedgerEntry, Outcome
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.records.sealing import ContentUnavailable
from iomshare.retention import sweep
from tests.factories import InformationItemFactory, PersonFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ig(police):
    return StaffMemberFactory(agency=police, role=Role.IG_LEAD)


@pytest.fixture
def held(police):
    """Five people, each with two police items, one of them looking like a spreadsheet formula."""
    people = []
    for n in range(5):
        person = PersonFactory(given_name="Sam", family_name=f"Held{n}")
        InformationItemFactory(person=person, holding_agency=police, summary=f"Marker-{n} seen in town")
        InformationItemFactory(person=person, holding_agency=police, summary=f'=HYPERLINK("x{n}")')
        people.append(person)
    return people


def _exports() -> int:
    return LedgerEntry.objects.filter(action=Action.EXPORT, person_id__isnull=False).count()


def _download(client, run) -> bytes:
    response = client.get(reverse("exchange:extract-download", args=[run.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_built_extract_holds_what_the_stream_held_and_is_on_the_ledger_once_per_person(
    client, settings, ig, held, file_format
):
    settings.IOMSHARE_EXTRACT_PAGE_PEOPLE = 2  # three pages and a closing piece
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": file_format})
    run = extract_runs.build(ExtractRun.objects.get().pk)
    assert (run.status, run.people_done, run.people_in_file, run.items_in_file) == ("ready", 5, 5, 10)
    assert _exports() == 5
    body = _download(client, run).decode()
    if file_format == "csv":
        assert body == "".join(exports.extract_csv(ig))
        rows = list(csv.reader(io.StringIO(body)))
        assert len(rows) == 11 and all(not row[8].startswith("=") for row in rows[1:])
    else:
        built, streamed = json.loads(body), json.loads("".join(exports.extract_json(ig)))
        assert built.pop("exported_at") and streamed.pop("exported_at")
        assert built == streamed and len(built["people"]) == 5


def test_the_file_at_rest_is_sealed_and_carries_no_person_data(client, ig, held):
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": "csv"})
    run = extract_runs.build(ExtractRun.objects.get().pk)
    sealed = Path(run.file_path).read_bytes()
    assert sealed and b"Marker-0" not in sealed and b"Held0" not in sealed and b"person_id" not in sealed
    assert b"Marker-0" in _download(client, run)


def test_a_cut_short_file_is_refused_not_served_in_part(client, ig, held):
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": "csv"})
    run = extract_runs.build(ExtractRun.objects.get().pk)
    path = Path(run.file_path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ContentUnavailable):
        list(extract_runs.download(run, by=ig))


def test_the_api_asks_202_with_location_then_status_then_download(client, police, held):
    system = StaffMemberFactory(agency=police, role=Role.SYSTEM)
    _token, secret = issue_token(for_staff=system, name="police case system", by=None)
    auth = {"Authorization": f"Bearer {secret}"}
    asked = client.post("/api/v1/extracts", {"format": "json"}, content_type="application/json", headers=auth)
    assert asked.status_code == 202 and asked.json()["status"] == "queued"
    assert asked["Location"] == f"/api/v1/extracts/{asked.json()['id']}"
    assert DBTaskResult.objects.filter(pk=ExtractRun.objects.get().job_id).exists(), "a job was queued"
    assert client.get(asked["Location"] + "/file", headers=auth).status_code == 404, "not built yet"
    extract_runs.build(ExtractRun.objects.get().pk)
    status = client.get(asked["Location"], headers=auth).json()
    assert (status["status"], status["progress"], status["people_in_file"]) == ("ready", 1.0, 5)
    download = client.get(status["download"], headers=auth)
    assert download.status_code == 200
    assert len(json.loads(b"".join(download.streaming_content))["people"]) == 5


@pytest.mark.parametrize(
    ("body", "field"), [({"format": "xml"}, "format"), ({"format": "csv", "purpose": "nonsense"}, "purpose")]
)
def test_bad_input_is_a_problem_and_queues_nothing(client, police, body, field):
    system = StaffMemberFactory(agency=police, role=Role.SYSTEM)
    _token, secret = issue_token(for_staff=system, name="police case system", by=None)
    response = client.post(
        "/api/v1/extracts",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert field in json.dumps(response.json())
    assert not ExtractRun.objects.exists() and not DBTaskResult.objects.exists()


def test_the_web_form_refuses_a_missing_format_and_queues_nothing(client, ig):
    client.force_login(ig)
    response = client.post(reverse("exchange:extracts"), {"format": ""})
    assert response.status_code == 400 and b"Select the format" in response.content
    assert not ExtractRun.objects.exists()


def test_only_the_requester_may_see_or_download_an_extract_and_others_are_on_the_ledger(
    client, police, ig, held
):
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": "csv"})
    run = extract_runs.build(ExtractRun.objects.get().pk)
    other_ig = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    client.force_login(other_ig)
    for name in ("extract-run", "extract-run-status", "extract-download"):
        assert client.get(reverse(f"exchange:{name}", args=[run.pk])).status_code == 404
    _token, secret = issue_token(for_staff=other_ig, name="other", by=None)
    for path in (f"/api/v1/extracts/{run.pk}", f"/api/v1/extracts/{run.pk}/file"):
        assert client.get(path, headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    refused = LedgerEntry.objects.filter(action=Action.EXPORT, outcome=Outcome.REFUSED, actor_id=other_ig.pk)
    assert refused.count() == 5 and all(e.details["extract_run"] == str(run.pk) for e in refused)
    client.force_login(ig)
    assert b"Marker-1" in _download(client, run)
    downloads = LedgerEntry.objects.filter(action=Action.EXPORT, actor_id=ig.pk, person_id__isnull=True)
    assert [e.details["extract_run"] for e in downloads] == [str(run.pk)]


def test_an_expired_extract_is_deleted_with_its_key_by_the_retention_sweep(client, ig, held):
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": "csv"})
    run = extract_runs.build(ExtractRun.objects.get().pk)
    path = Path(run.file_path)
    assert run.expires_at - run.finished_at == dt.timedelta(hours=24)
    assert sweep.sweep().expired_extracts == 0 and path.is_file(), "not yet due"
    ExtractRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep.sweep().expired_extracts == 1
    run.refresh_from_db()
    assert not path.exists() and run.status == ExtractStatus.EXPIRED and bytes(run.wrapped_key) == b""
    assert client.get(reverse("exchange:extract-download", args=[run.pk])).status_code == 404
    assert b"expired" in client.get(reverse("exchange:extract-run", args=[run.pk])).content


def test_a_build_cut_off_between_writing_a_piece_and_committing_it_carries_on_once(
    client, settings, ig, held, monkeypatch
):
    """The worker dies after sealing a page into the file but before its transaction commits: the page's
    entries roll back, the stray piece is cut off, and the run carries on as if it never happened."""
    settings.IOMSHARE_EXTRACT_PAGE_PEOPLE = 2
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": "json"})
    run_id = ExtractRun.objects.get().pk
    real_append, calls = extract_runs.sealed_files.append_piece, {"n": 0}

    def dies_on_the_third_page(*args, **kwargs):
        calls["n"] += 1
        length = real_append(*args, **kwargs)
        if calls["n"] == 3:  # opening, page one, then page two written and the worker dies
            raise KeyboardInterrupt
        return length

    monkeypatch.setattr(extract_runs.sealed_files, "append_piece", dies_on_the_third_page)
    with pytest.raises(KeyboardInterrupt):
        extract_runs.build(run_id)
    stopped = ExtractRun.objects.get(pk=run_id)
    assert (stopped.status, stopped.people_done, _exports()) == ("building", 2, 2)
    assert Path(stopped.file_path).stat().st_size > stopped.file_bytes, "the uncommitted piece is on disk"
    monkeypatch.setattr(extract_runs.sealed_files, "append_piece", real_append)
    run = extract_runs.build(run_id)
    assert (run.status, run.people_in_file, _exports()) == ("ready", 5, 5)
    assert len(json.loads(_download(client, run))["people"]) == 5


def test_an_extract_whose_worker_died_with_none_left_is_shown_failed_and_restarts_where_it_stopped(
    client, settings, tmp_path, ig, held
):
    settings.IOMSHARE_EXTRACTS_IN_BACKGROUND = True
    settings.IOMSHARE_WORKER_TIMEOUT = 0
    settings.IOMSHARE_WORKER_DIR = tmp_path / "workers"
    settings.IOMSHARE_EXTRACT_PAGE_PEOPLE = 2
    client.force_login(ig)
    client.post(reverse("exchange:extracts"), {"format": "csv"})
    run = ExtractRun.objects.get()
    extract_runs._next_page(extract_runs._begin(run))  # one page built, then the worker is gone
    assert _exports() == 2
    page = client.get(reverse("exchange:extract-run", args=[run.pk])).content.decode()
    assert 'data-status="failed"' in page
    assert "The extract stopped before it finished: No worker is running" in page
    assert DBTaskResult.objects.get(pk=run.job_id).status == "FAILED"  # no worker will carry it on

    client.post(reverse("exchange:extract-restart", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.error, run.people_done) == ("building", "", 2)
    assert DBTaskResult.objects.get(pk=run.job_id).status == "READY"
    run = extract_runs.build(run.pk)
    assert (run.status, run.people_in_file, _exports()) == ("ready", 5, 5)
    assert _download(client, run).decode() == "".join(exports.extract_csv(ig))
