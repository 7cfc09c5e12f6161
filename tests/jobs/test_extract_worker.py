"""A bulk extract built by the worker as its own process: killed mid-way and picked up by a restarted
worker, it finishes exactly once (each person on the ledger once, each naming the asking request)."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from iomshare.exchange import extract_runs, sealed_files
from iomshare.exchange.models import ExtractStatus
from iomshare.ledger.context import Origin, acting_from
from iomshare.ledger.models import Channel
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, InformationItemFactory, PersonFactory, StaffMemberFactory
from tests.jobs.conftest import wait_for

PEOPLE = 150
ASKING = Origin(channel=Channel.API, request_id="ask-extract-0001", client_address="192.0.2.44")


@pytest.fixture
def extracts_by_the_worker(settings, tmp_path, monkeypatch):
    """The worker process reads these from its environment; this process from its settings."""
    settings.IOMSHARE_EXTRACTS_IN_BACKGROUND = True
    settings.IOMSHARE_EXTRACT_DIR = tmp_path / "extracts"
    monkeypatch.setenv("IOMSHARE_EXTRACT_DIR", str(settings.IOMSHARE_EXTRACT_DIR))
    monkeypatch.setenv("IOMSHARE_EXTRACT_PAGE_PEOPLE", "2")


@pytest.fixture
def police_ig(worker_db):
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    for n in range(PEOPLE):
        person = PersonFactory(given_name="Sam", family_name=f"Held{n:03}")
        InformationItemFactory(person=person, holding_agency=police, summary=f"Marker-{n:03}")
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


def test_an_extract_killed_mid_way_is_finished_once_by_a_restarted_worker(
    worker_db, extracts_by_the_worker, police_ig
):
    with acting_from(ASKING):
        run = extract_runs.ask_for_extract(police_ig, file_format="json")
    assert run.status == ExtractStatus.QUEUED and run.job_id
    worker_db.publish()
    run_key = run.pk.hex if worker_db.is_copy else run.pk

    def there(columns: str):
        return worker_db.row(f"SELECT {columns} FROM exchange_extractrun WHERE id = %s", (run_key,))  # noqa: S608

    exports = "FROM ledger_ledgerentry WHERE action = 'export' AND person_id IS NOT NULL"

    first = worker_db.start_worker()
    wait_for(lambda: there("people_done")[0] >= 4, what="the worker to be part-way through the extract")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    status, done = there("status, people_done")
    assert status == ExtractStatus.BUILDING and done < PEOPLE, "the kill came too late"
    assert worker_db.row(f"SELECT count(*) {exports}")[0] == done, "each committed page is on the ledger"

    worker_db.start_worker()
    wait_for(lambda: there("status")[0] == ExtractStatus.READY, timeout=180, what="the restarted worker")
    assert worker_db.row(f"SELECT count(*), count(DISTINCT person_id) {exports}") == (PEOPLE, PEOPLE)
    origins = worker_db.row(f"SELECT count(DISTINCT channel || request_id || client_address) {exports}")
    assert origins == (1,)
    assert worker_db.row(f"SELECT channel, request_id, client_address {exports}") == (
        Channel.API,
        ASKING.request_id,
        ASKING.client_address,
    )
    path, length, pieces, generation, wrapped, in_file = there(
        "file_path, file_bytes, file_pieces, key_generation, wrapped_key, people_in_file"
    )
    assert in_file == PEOPLE
    key = sealed_files.open_key(uuid.UUID(str(run.pk)), generation, bytes(wrapped))
    text = b"".join(
        sealed_files.read_pieces(Path(path), key=key, file_id=run.pk, pieces=pieces, length=length)
    )
    document = json.loads(text)
    names = [person["family_name"] for person in document["people"]]
    assert sorted(names) == [f"Held{n:03}" for n in range(PEOPLE)], "everyone once, no one twice"
    assert settings.IOMSHARE_EXTRACT_DIR in Path(path).parents
