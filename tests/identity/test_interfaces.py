"""The same actions from the command line, the machine API and the web pages."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from iomshare.identity import services
from iomshare.identity.models import LinkageModel, Merge, Outcome, ReviewCase, SourceRecord
from iomshare.partnership.tokens import issue_token
from tests.factories import TEST_PASSWORD
from tests.identity.test_resolution import JORDAN


def test_iomshare_link_loads_synthetic_records_trains_a_model_and_links_them(agencies):
    out = io.StringIO()
    call_command("link", synthetic=400, seed=5, verbosity=0, stdout=out)
    text = out.getvalue()
    assert "Loaded" in text and "Linked" in text
    assert LinkageModel.objects.filter(is_active=True).count() == 1
    assert not SourceRecord.objects.filter(person__isnull=True, waiting_reason="").exists()
    people = SourceRecord.objects.values("person").distinct().count()
    assert people < SourceRecord.objects.count() * 0.6  # real duplicates were found


def test_iomshare_link_without_agencies_says_what_is_missing(db):
    with pytest.raises(CommandError, match="Synthetic records need the agencies"):
        call_command("link", synthetic=10, verbosity=0)


def _api(client, staff):
    _token, secret = issue_token(for_staff=staff, name="test", by=None)
    headers = {"Authorization": f"Bearer {secret}"}

    def post(path, body):
        return client.post(
            "/api/v1" + path, json.dumps(body), content_type="application/json", headers=headers
        )

    def get(path):
        return client.get("/api/v1" + path, headers=headers)

    return post, get


def test_the_api_receives_a_record_reviews_a_pair_and_unmerges(
    client, receive, agencies, reviewer, active_model
):
    from tests.factories import StaffMemberFactory

    existing = receive("police", "POL-1", **JORDAN)
    services.link_records(by=reviewer)
    system = StaffMemberFactory(username="gp-system", agency=agencies["health"], role="system")
    post, _ = _api(client, system)
    response = post(
        "/identity/source-records",
        {"record_key": "GP-1", **JORDAN, "date_of_birth": "1990-05-28", "postcode": "BD5 1AA"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "review"
    bare = post(
        "/identity/source-records",
        {"record_key": "GP-2", "given_name": "", "family_name": "", "date_of_birth": "1990-05-92"},
    )
    assert bare.status_code == 201, bare.content
    assert bare.json()["outcome"] == "waiting" and bare.json()["person_id"] is None
    assert bare.json()["warnings"] == [
        {
            "field": "date_of_birth",
            "value": "1990-05-92",
            "reason": "The date of birth 1990-05-92 is not a real date",
        }
    ]
    assert bare.json()["waiting_reason"].startswith("No last name and no date of birth")

    post, get = _api(client, reviewer)
    cases = get("/identity/review-cases").json()
    assert len(cases) == 1 and cases[0]["evidence"][0]["sentence"]
    decided = post(
        f"/identity/review-cases/{cases[0]['id']}/decision",
        {"outcome": "same", "confidence": "likely", "rationale": "GP confirmed the date of birth is a typo"},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["person_a"] == decided.json()["person_b"]
    merge = Merge.objects.get()
    history = get(f"/identity/persons/{merge.survivor_id}/history").json()
    assert len(history["records"]) == 2 and history["merges"][0]["id"] == merge.pk
    undone = post(f"/identity/merges/{merge.pk}/unmerge", {"rationale": "Wrong patient"})
    assert undone.status_code == 200 and undone.json()["undone_at"]
    existing.refresh_from_db()
    assert SourceRecord.objects.filter(person__isnull=False).exclude(person=existing.person).count() == 1


def test_practitioners_cannot_use_the_review_api(client, practitioner):
    _, get = _api(client, practitioner)
    assert get("/identity/review-cases").status_code == 403


def test_the_review_pages_link_a_pair_and_undo_the_merge(client, receive, agencies, reviewer, active_model):
    first = receive("police", "POL-1", **JORDAN)
    second = receive("health", "GP-1", **{**JORDAN, "date_of_birth": "1990-05-28", "postcode": "BD5 1AA"})
    services.link_records(by=reviewer)
    case = ReviewCase.objects.get()
    client.login(username="iglead", password=TEST_PASSWORD)
    page = client.get("/identity/")
    assert page.status_code == 200 and b"1 waiting" in page.content
    detail = client.get(f"/identity/review/{case.pk}/")
    assert b"Dates of birth differ in one of day, month or year" in detail.content
    refused = client.post(f"/identity/review/{case.pk}/", {"outcome": "same"})
    assert refused.status_code == 400 and b"Enter the reason for your decision" in refused.content
    decision = {"outcome": Outcome.SAME, "confidence": "certain", "rationale": "Same NHS record"}
    check = client.post(f"/identity/review/{case.pk}/", decision)
    # First what differs, highlighted, and a confirmation: nothing is merged yet.
    assert check.status_code == 200 and b"Link these records as one person?" in check.content
    differs = check.content.decode().split('data-testid="what-differs"')[1].split("</table>")[0]
    assert "Date of birth" in differs and "Postcode" in differs and "First name" not in differs
    assert not Merge.objects.exists()
    first.refresh_from_db()
    assert first.person != SourceRecord.objects.get(pk=second.pk).person
    done = client.post(f"/identity/review/{case.pk}/", {**decision, "confirmed": "yes"})
    assert done.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.person == second.person
    merge = Merge.objects.get()
    assert done.url == f"/identity/review/{case.pk}/?merged={merge.pk}"
    confirmation = client.get(done.url)
    assert f'href="/identity/merges/{merge.pk}/unmerge/"'.encode() in confirmation.content  # undo, at once
    history = client.get(f"/identity/people/{merge.survivor_id}/history/")
    assert b"Undo" in history.content
    assert client.post(f"/identity/merges/{merge.pk}/unmerge/", {"rationale": "Not him"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.person != second.person
    model_page = client.get("/identity/model/")
    assert b"Dates of birth match exactly" in model_page.content


def test_practitioners_are_refused_the_identity_pages(client, practitioner):
    client.login(username="worker", password=TEST_PASSWORD)
    assert client.get("/identity/").status_code == 403
