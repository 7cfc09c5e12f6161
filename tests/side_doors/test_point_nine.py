"""Issue 12, point 9: clear errors rather than 500s, problem details everywhere in the API, no
caching of person data, and no unrecorded browsing of person data in Django admin."""

import json

import pytest
from django.db import DatabaseError
from django.test import Client

from iomshare.exchange.models import ExtractRun
from iomshare.ledger import services as ledger_services
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from tests.factories import (
    CohortMembershipFactory,
    InformationItemFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(police, person, officer):
    CohortMembershipFactory(person=person, lead_agency=police)
    InformationItemFactory(person=person, holding_agency=police, author=officer, summary="Seen at the door")
    return person


@pytest.fixture
def ig(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


def _api(client, staff):
    _token, secret = issue_token(for_staff=staff, name="test", by=None)
    return {"Authorization": f"Bearer {secret}"}


def test_a_web_person_export_with_an_unknown_purpose_is_a_clear_400_page_not_a_500(officer, member):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    response = client.get(f"/exchange/people/{member.pk}/export.json", {"purpose": "nonsense"})
    assert response.status_code == 400
    assert b"Select one of the purposes listed" in response.content


def test_a_bulk_extract_with_an_unknown_purpose_is_refused_before_anything_is_queued(client, ig, member):
    client.force_login(ig)
    web = client.post("/exchange/exports/", {"format": "json", "purpose": "nonsense"})
    assert web.status_code == 400
    assert b"Select" in web.content or b"Choose" in web.content
    api = client.post(
        "/api/v1/extracts", {"purpose": "nonsense"}, content_type="application/json", headers=_api(client, ig)
    )
    assert api.status_code == 422
    assert api["Content-Type"] == "application/problem+json"
    assert not ExtractRun.objects.exists()


def test_the_bulk_extract_offers_the_purposes_as_choices_not_free_text(client, ig, member):
    client.force_login(ig)
    page = client.get("/exchange/exports/").content.decode()
    assert 'name="purpose" type="text"' not in page
    assert '<select class="govuk-select" id="purpose" name="purpose"' in page


def test_an_oversized_api_body_is_a_413_problem(client, officer, member):
    body = json.dumps({"summary": "x" * (12 * 1024 * 1024)})
    response = client.post(
        f"/api/v1/persons/{member.pk}/items",
        body,
        content_type="application/json",
        headers=_api(client, officer),
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_an_offset_beyond_any_database_integer_is_a_422_problem(client, officer, member):
    response = client.get(
        f"/api/v1/persons/{member.pk}/items", {"offset": str(2**63 + 5)}, headers=_api(client, officer)
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_unknown_api_paths_and_wrong_methods_answer_problem_details(client, officer, member):
    headers = _api(client, officer)
    missing = client.get("/api/v1/no-such-thing", headers=headers)
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert json.loads(missing.content)["status"] == 404
    wrong = client.delete(f"/api/v1/persons/{member.pk}", headers=headers)
    assert wrong.status_code == 405
    assert wrong["Content-Type"] == "application/problem+json"


def test_the_web_answers_a_ledger_outage_with_a_503_page_that_explains(officer, member, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(officer)

    def broken(*args, **kwargs):
        raise DatabaseError("ledger table locked")

    monkeypatch.setattr(ledger_services, "_insert", broken)
    response = client.get(f"/cohort/people/{member.pk}/")
    assert response.status_code == 503
    assert b"could not be recorded" in response.content
    assert b"Seen at the door" not in response.content


def test_responses_with_person_data_are_never_stored_by_caches(client, officer, member):
    client.force_login(officer)
    for url in ("/cohort/", f"/cohort/people/{member.pk}/", f"/exchange/people/{member.pk}/export.csv"):
        assert client.get(url)["Cache-Control"] == "no-store", url
    api = client.get(f"/api/v1/persons/{member.pk}", headers=_api(client, officer))
    assert api["Cache-Control"] == "no-store"


def test_browsing_person_data_in_django_admin_is_on_the_ledger(client, police, member):
    from iomshare.identity.models import SourceRecord

    admin = StaffMemberFactory(
        username="root", agency=police, role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    before = LedgerEntry.objects.filter(action=Action.VIEW).count()
    response = client.get("/admin/identity/sourcerecord/")
    assert response.status_code == 200
    entries = LedgerEntry.objects.filter(action=Action.VIEW)
    assert entries.count() == before + 1
    assert entries.order_by("-pk").first().details["admin"] == SourceRecord._meta.label_lower
