"""`/healthz` and `/readyz`: open to probes without a sign-in, saying nothing about any person."""

import json

import pytest
from django.utils import timezone

from iomshare.jobs import heartbeat
from iomshare.ledger.models import LedgerEntry
from iomshare.records.sealing import MasterKeys
from tests.factories import InformationItemFactory
from tests.operations.test_timeouts import LedgerLocker, on_postgresql

pytestmark = pytest.mark.django_db


def checks(response):
    body = response.json()
    assert set(body) == {"status", "checks"}
    return {name: result["ok"] for name, result in body["checks"].items()}


def test_healthz_answers_without_a_sign_in_or_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]  # never kept by a cache


def test_readyz_is_ready_when_database_ledger_and_master_key_work_and_keeps_no_entry(client, police, person):
    InformationItemFactory(person=person, holding_agency=police)  # a data key for the key check to open
    entries_before = LedgerEntry.objects.count()
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready"
    assert checks(response) == {"database": True, "ledger": True, "master_key": True, "worker": True}
    assert LedgerEntry.objects.count() == entries_before  # the probe's entry was rolled back
    assert str(person.pk) not in response.content.decode()


def test_readyz_fails_when_the_master_key_file_is_missing_and_does_not_create_one(client, settings, tmp_path):
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert checks(response)["master_key"] is False
    assert response.json()["checks"]["master_key"]["detail"] == "the master key file is missing"
    assert not (tmp_path / "master_keys").exists()


def test_readyz_fails_when_the_master_key_file_is_not_the_one_that_wrapped_the_data_keys(
    client, settings, tmp_path, police, person
):
    InformationItemFactory(person=person, holding_agency=police)
    other = tmp_path / "other_master_keys"
    other.write_text(MasterKeys(1, {1: b"\x01" * 32}).as_json())
    settings.IOMSHARE_MASTER_KEY_FILE = other
    response = client.get("/readyz")
    assert response.status_code == 503
    assert checks(response)["master_key"] is False


def test_readyz_asks_for_a_live_worker_only_when_a_worker_is_expected(client, settings, tmp_path):
    settings.IOMSHARE_WORKER_DIR = tmp_path / "workers"
    settings.IOMSHARE_WORKER_EXPECTED = False
    assert checks(client.get("/readyz"))["worker"] is True
    settings.IOMSHARE_WORKER_EXPECTED = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["detail"] == "no worker has ever reported"
    now = timezone.now()
    # A worker on another host: alive while it beats within the timeout.
    heartbeat.write(heartbeat.Beat("worker-1", "another-host", 4242, now, now))
    assert client.get("/readyz").status_code == 200
    heartbeat.write(heartbeat.Beat("worker-1", "another-host", 4242, now, now - 10 * heartbeat.timeout()))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "old" in json.loads(response.content)["checks"]["worker"]["detail"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_readyz_fails_within_its_own_short_lock_timeout_when_the_ledger_is_locked(client):
    with LedgerLocker():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert checks(response) == {"database": True, "ledger": False, "master_key": True, "worker": True}
