"""Linking started from the pages: one run at a time, progress kept on the run, the outcome shown."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import services
from iomshare.identity.models import LinkageModel, LinkageRun, ReviewCase, RunStatus, SourceRecord
from iomshare.jobs import heartbeat
from iomshare.partnership.tokens import issue_token
from iomshare.people.models import Person
from tests.factories import TEST_PASSWORD

JORDAN = {
    "given_name": "Jordan",
    "family_name": "Whitlock",
    "date_of_birth": "1990-05-17",
    "sex": "M",
    "postcode": "LS1 4AP",
}


@pytest.fixture
def records(receive):
    return [
        receive("police", "POL-1", **JORDAN, identifiers={"pnc": "2012/0012345A"}),
        receive("probation", "CRN-1", **{**JORDAN, "given_name": "JORDAN"}),
        receive("health", "GP-1", **{**JORDAN, "date_of_birth": "1990-05-28", "postcode": "BD5 1AA"}),
        receive("council", "HOU-1", given_name="Aisha", family_name="Khan", date_of_birth="1985-01-02"),
    ]


@pytest.fixture
def in_the_request(settings):
    settings.IOMSHARE_LINKING_IN_BACKGROUND = False


def test_a_run_started_from_the_pages_links_with_the_saved_model_and_records_its_outcome(
    records, reviewer, active_model
):
    run = services.start_linking(by=reviewer)
    assert (run.status, run.model, run.started_by) == (RunStatus.RUNNING, active_model, reviewer)
    run = services.carry_on_linking(run)
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.finished_at is not None
    # Police and probation's Jordan are one person; the GP's (another day of birth, elsewhere) waits for review
    # against each of their records.
    assert (run.records, run.people_created, run.records_linked) == (4, 3, 2)
    assert run.review_cases == ReviewCase.objects.count() == 2
    assert LinkageModel.objects.count() == 1  # linked with the saved model: nothing was retrained
    police, probation, health, _council = (SourceRecord.objects.get(pk=r.pk) for r in records)
    assert police.person_id == probation.person_id != health.person_id
    assert services.running_run() is None


def test_a_second_run_is_refused_while_one_is_linking(records, reviewer, police_lead, active_model):
    first = services.start_linking(by=reviewer)
    with pytest.raises(services.LinkingAlreadyRunning) as refused:
        services.start_linking(by=police_lead)
    assert refused.value.run == first
    assert "Linking is already running: it was started by Imogen Grey at" in refused.value.message
    with pytest.raises(services.LinkingAlreadyRunning):
        services.link_records(by=police_lead)  # `iomshare link` waits its turn too
    assert LinkageRun.objects.count() == 1 and not Person.objects.exists()
    services.carry_on_linking(first)
    assert services.start_linking(by=police_lead).status == RunStatus.RUNNING


def test_the_database_allows_only_one_running_run(records, reviewer, active_model):
    from django.db import IntegrityError, transaction

    services.start_linking(by=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkageRun.objects.create(status=RunStatus.RUNNING, model=active_model)


def test_a_run_left_running_by_a_stopped_server_does_not_block_linking(records, reviewer, active_model):
    stuck = services.start_linking(by=reviewer)
    LinkageRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - dt.timedelta(hours=3))
    fresh = services.start_linking(by=reviewer)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "stopped without finishing" in stuck.message
    assert fresh.status == RunStatus.RUNNING


def test_a_failed_run_says_why_and_changes_nothing(records, reviewer, active_model):
    broken = LinkageModel.objects.create(
        splink_version="5",
        model={"link_type": "dedupe_only", "comparisons": "not a list"},
        records_trained_on=1,
        training_seconds=0,
        lower_threshold=0.5,
        upper_threshold=0.95,
    )
    active_model.is_active = False
    active_model.save()
    run = services.carry_on_linking(services.start_linking(by=reviewer))
    assert run.model == broken
    assert run.status == RunStatus.FAILED
    assert run.message.startswith("Linking failed and nothing was changed: ")
    assert not Person.objects.exists() and not ReviewCase.objects.exists()
    assert services.running_run() is None


def test_linking_cannot_start_without_a_model_or_by_a_practitioner(records, reviewer, practitioner):
    with pytest.raises(InvalidInput, match="No linkage model has been trained yet"):
        services.start_linking(by=reviewer)
    with pytest.raises(NotPermitted):
        services.start_linking(by=practitioner)
    assert not LinkageRun.objects.exists()


def test_the_link_button_posts_with_csrf_and_the_run_page_shows_the_outcome(
    records, reviewer, active_model, in_the_request
):
    browser = Client(enforce_csrf_checks=True)
    browser.login(username="iglead", password=TEST_PASSWORD)
    queue = browser.get("/identity/")
    assert b"Link new records" in queue.content
    assert browser.get("/identity/runs/").status_code == 405
    assert browser.post("/identity/runs/").status_code == 403  # no CSRF token
    assert not LinkageRun.objects.exists()
    token = queue.cookies[settings.CSRF_COOKIE_NAME].value
    started = browser.post("/identity/runs/", {"csrfmiddlewaretoken": token})
    run = LinkageRun.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/identity/runs/{run.pk}/"
    page = browser.get(started["Location"]).content.decode()
    assert "Linking finished" in page and "hx-get" not in page and "htmx.min.js" not in page
    assert 'Sent for review</dt><dd class="govuk-summary-list__value">2 pairs of records' in page


def test_the_status_panel_polls_while_running_and_a_second_press_is_refused(
    client, records, reviewer, police_lead, active_model
):
    run = services.start_linking(by=police_lead)
    heartbeat.report(f"linkage:{run.pk}", "Resolving people", 3, 4)
    try:
        client.login(username="iglead", password=TEST_PASSWORD)
        panel = client.get(f"/identity/runs/{run.pk}/status/").content.decode()
        assert f'hx-get="/identity/runs/{run.pk}/status/"' in panel
        assert "Resolving people: 3 of 4" in panel
        assert "htmx.min.js" in client.get(f"/identity/runs/{run.pk}/").content.decode()
        assert b"is still running" in client.get("/identity/").content
        refused = client.post("/identity/runs/", follow=True)
        assert refused.redirect_chain[-1][0] == f"/identity/runs/{run.pk}/"
        assert "Linking is already running" in refused.content.decode()
        assert LinkageRun.objects.count() == 1
    finally:
        heartbeat.finished(f"linkage:{run.pk}")


def test_the_api_refuses_to_link_while_a_run_is_linking(client, records, reviewer, police_lead, active_model):
    services.start_linking(by=reviewer)
    _token, secret = issue_token(for_staff=police_lead, name="test", by=None)
    response = client.post(
        "/api/v1/identity/link-runs",
        json.dumps({}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Linking is already running: it was started by Imogen Grey")
    assert LinkageRun.objects.count() == 1 and not Person.objects.exists()


def _api(client, method, path, secret, body=None):
    headers = {"Authorization": f"Bearer {secret}"}
    if method == "post":
        return client.post(path, json.dumps(body or {}), content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


def test_the_api_starts_a_linking_job_and_answers_at_once_with_where_to_follow_it(
    client, records, police_lead, active_model, django_capture_on_commit_callbacks
):
    _token, secret = issue_token(for_staff=police_lead, name="test", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        started = _api(client, "post", "/api/v1/identity/link-runs", secret)
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == RunStatus.RUNNING and body["retrain"] is False
    assert not Person.objects.exists(), "nothing is linked inside the request"
    run = LinkageRun.objects.get()
    assert run.job_id, "the run is a queued job of the worker"
    assert started["Location"] == f"/api/v1/identity/link-runs/{run.pk}"
    services.carry_on_linking_run.call(run.pk)  # what the worker does with the job
    followed = _api(client, "get", started["Location"], secret).json()
    assert (followed["status"], followed["records"], followed["people_created"]) == (RunStatus.FINISHED, 4, 3)


def test_the_apis_first_link_trains_its_model_in_the_job(client, records, police_lead):
    assert services.active_model() is None
    _token, secret = issue_token(for_staff=police_lead, name="test", by=None)
    started = _api(client, "post", "/api/v1/identity/link-runs", secret)
    assert started.status_code == 202 and started.json()["retrain"] is True
    assert not LinkageModel.objects.exists(), "training waits for the worker too"
    run = LinkageRun.objects.get()
    services.carry_on_linking_run.call(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED and run.model == services.active_model() is not None


def test_a_linking_run_is_read_only_by_reviewers_and_a_missing_one_is_a_404(
    client, records, reviewer, practitioner
):
    run = services.start_linking(by=reviewer, retrain=True)
    _token, practitioner_secret = issue_token(for_staff=practitioner, name="test", by=None)
    assert _api(client, "get", f"/api/v1/identity/link-runs/{run.pk}", practitioner_secret).status_code == 403
    _token, secret = issue_token(for_staff=reviewer, name="test", by=None)
    assert _api(client, "get", "/api/v1/identity/link-runs/999999", secret).status_code == 404
