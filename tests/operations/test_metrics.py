"""`/metrics`: Prometheus figures for the monitoring system only, naming no person."""

import pytest

from iomshare.partnership.tokens import issue_token
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def scrape(client, **extra):
    return client.get("/metrics", REMOTE_ADDR=extra.pop("REMOTE_ADDR", "127.0.0.1"), **extra)


def value(text: str, sample: str) -> float:
    """The value of one sample line (`name{labels}`), 0 when absent."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_and_ledger_appends_by_action(
    client, police, django_capture_on_commit_callbacks
):
    _token, secret = issue_token(for_staff=StaffMemberFactory(agency=police), name="case system", by=None)
    before = scrape(client).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            "/api/v1/persons", {"q": "smith"}, headers={"Authorization": f"Bearer {secret}"}
        )
    assert response.status_code == 200
    after = scrape(client).content.decode()
    requests = 'iomshare_http_requests_total{method="GET",route="api-v1:persons",status="200"}'
    appended = 'iomshare_ledger_entries_appended_total{action="search"}'
    assert value(after, requests) == value(before, requests) + 1
    assert value(after, appended) == value(before, appended) + 1
    assert (
        'iomshare_http_request_duration_seconds_bucket{le="0.5",method="GET",route="api-v1:persons"}' in after
    )
    assert 'iomshare_job_queue_depth{queue="imports"} 0.0' in after
    assert 'iomshare_import_rows_total{outcome="created"}' in after


def test_metrics_label_routes_by_name_never_by_a_path_with_a_person_in_it(client, person, officer):
    client.force_login(officer)
    client.get(f"/cohort/people/{person.pk}/")
    text = scrape(client).content.decode()
    assert 'route="people:person"' in text
    assert str(person.pk) not in text


def test_metrics_are_refused_to_other_addresses_and_to_anything_that_came_through_a_proxy(client):
    assert scrape(client, REMOTE_ADDR="192.0.2.10").status_code == 403
    assert scrape(client, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 403
    assert scrape(client).status_code == 200


def test_with_a_metrics_token_only_a_scrape_that_sends_it_is_answered(client, settings):
    settings.IOMSHARE_METRICS_TOKEN = "scrape-token-for-tests"
    assert scrape(client).status_code == 403
    assert scrape(client, headers={"Authorization": "Bearer wrong"}).status_code == 403
    response = scrape(
        client, REMOTE_ADDR="192.0.2.10", headers={"Authorization": "Bearer scrape-token-for-tests"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
