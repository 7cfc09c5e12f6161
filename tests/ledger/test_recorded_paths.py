"""Every path that shows, changes or exports person data, or signs someone in, writes its entry."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from iomshare.ledger import services
from iomshare.ledger.models import Action, Channel, LedgerEntry, Outcome
from iomshare.partnership.models import Agency, Role
from iomshare.partnership.tokens import issue_token, revoke_token
from iomshare.records import selectors as records
from tests.factories import (
    TEST_PASSWORD,
    CohortMembershipFactory,
    InformationItemFactory,
    StaffMemberFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db


def entries(action):
    return list(LedgerEntry.objects.filter(action=action).order_by("id"))


@pytest.fixture
def held(officer, probation_officer, person):
    """Three police items and one probation item about the same person."""
    police = [
        InformationItemFactory(person=person, holding_agency=officer.agency, author=officer) for _ in range(3)
    ]
    InformationItemFactory(person=person, holding_agency=probation_officer.agency, author=probation_officer)
    return police


def test_signing_in_is_recorded_with_the_request_id_and_address(client, officer):
    response = client.post(reverse("web:sign-in"), {"username": "officer", "password": TEST_PASSWORD})
    assert response.status_code == 302
    (entry,) = entries(Action.SIGN_IN)
    assert (entry.actor_id, entry.actor_username, entry.actor_agency) == (officer.pk, "officer", "police")
    assert entry.channel == Channel.WEB and entry.client_address == "127.0.0.1"
    assert entry.request_id == response["X-Request-ID"]


def test_a_failed_sign_in_is_recorded_with_the_username_tried(client, officer):
    client.post(reverse("web:sign-in"), {"username": "officer", "password": "wrong password here"})
    (entry,) = entries(Action.SIGN_IN_FAILED)
    assert entry.actor_id is None and entry.actor_username == "officer" and entry.outcome == Outcome.FAILED
    assert "wrong" not in str(entry.details)


def test_signing_out_is_recorded(client, officer):
    client.force_login(officer)
    client.post(reverse("web:sign-out"))
    assert [e.actor_id for e in entries(Action.SIGN_OUT)] == [officer.pk]


def test_a_person_page_view_is_one_entry_naming_every_item_shown(client, officer, person, held):
    client.force_login(officer)
    response = client.get(reverse("people:person", args=[person.id]))
    assert response.status_code == 200
    (entry,) = entries(Action.VIEW)
    assert entry.person_id == person.id
    assert sorted(entry.item_ids) == sorted(str(item.id) for item in held)
    assert entry.holding_agencies == ["police"] and entry.outcome == Outcome.ALLOWED
    assert entry.channel == Channel.WEB


def test_if_the_entry_cannot_be_written_the_page_is_not_shown(officer, person, held, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    client = Client(raise_request_exception=False)
    client.force_login(officer)
    monkeypatch.setattr(services, "_insert", broken)
    response = client.get(reverse("people:person", args=[person.id]))
    assert response.status_code == 503  # the explanation docs/ledger.md promises, not a bare 500
    assert held[0].summary not in response.content.decode()


def test_the_ledger_failure_is_a_clear_error_for_callers(officer, person, held, monkeypatch):
    monkeypatch.setattr(services, "_insert", lambda *a, **k: (_ for _ in ()).throw(DatabaseError()))
    with pytest.raises(services.LedgerUnavailable, match="could not be recorded"):
        records.picture_for(officer, person, purpose=None)


def test_a_cohort_search_is_recorded_with_its_terms(client, officer, person):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    client.force_login(officer)
    client.get(reverse("people:cohort"))
    assert entries(Action.SEARCH) == []  # the plain list is not a search
    client.get(reverse("people:cohort"), {"q": "Whitlock", "tier": "fixed"})
    (entry,) = entries(Action.SEARCH)
    assert entry.details["terms"] == {"search": "Whitlock", "tier": "fixed"}
    assert entry.details["results"] == 1


def test_recording_an_item_is_recorded(client, officer, person, accommodation):
    from tests.records.test_record_item import form

    client.force_login(officer)
    client.post(reverse("records:record-item", args=[person.id]), form())
    (entry,) = entries(Action.ITEM_RECORDED)
    item = person.items.get()
    assert entry.item_ids == [str(item.id)] and entry.person_id == person.id
    assert entry.details == {"category": "accommodation"}


def test_an_api_read_of_items_is_recorded_on_the_api_channel(client, officer, person, held):
    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    response = client.get(
        f"/api/v1/persons/{person.id}/items",
        {"limit": 2, "purpose": "risk_management"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    (entry,) = entries(Action.VIEW)
    assert entry.channel == Channel.API and len(entry.item_ids) == 2
    assert entry.item_ids == [item["id"] for item in response.json()["results"]]


def test_an_api_read_of_one_item_is_recorded(client, officer, held):
    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    client.get(
        f"/api/v1/items/{held[0].id}",
        {"purpose": "risk_management"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    (entry,) = entries(Action.VIEW)
    assert entry.item_ids == [str(held[0].id)] and entry.channel == Channel.API


def test_an_extract_records_one_export_per_person_before_yielding_it(officer, held):
    other = InformationItemFactory(holding_agency=officer.agency, author=officer)
    stream = records.items_for_extract(officer)
    next(stream)
    assert len(entries(Action.EXPORT)) == 1  # recorded before the first item left
    rest = list(stream)
    exports = entries(Action.EXPORT)
    assert {str(e.person_id) for e in exports} == {str(held[0].person_id), str(other.person_id)}
    assert sum(len(e.item_ids) for e in exports) == 1 + len(rest) == 4


def test_issuing_and_revoking_a_token_are_recorded(officer):
    token, _secret = issue_token(for_staff=officer, name="case system", by=officer)
    revoke_token(token, by=None)
    (issued,) = entries(Action.TOKEN_ISSUED)
    (revoked,) = entries(Action.TOKEN_REVOKED)
    assert issued.actor_id == officer.pk and issued.details["token"] == token.prefix
    assert revoked.actor_id is None and revoked.actor_username == "command-line operator"


@pytest.fixture
def admin_client_for(client, police):
    admin = StaffMemberFactory(
        username="admin", agency=police, role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    return client, admin


def test_an_admin_change_to_an_agency_is_recorded(admin_client_for, police):
    client, admin = admin_client_for
    url = reverse("admin:partnership_agency_change", args=[police.pk])
    response = client.post(
        url,
        {
            "code": "police",
            "name": "Northshire Constabulary",
            "kind": "police",
            "is_statutory": "on",
            "assurance_level": "3",
            "assurance_expires_on": "2030-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agency.objects.get(pk=police.pk).name == "Northshire Constabulary"
    (entry,) = entries(Action.ADMIN_CHANGE)
    assert entry.actor_id == admin.pk
    assert entry.details["model"] == "partnership.agency" and entry.details["change"] == "changed"
    assert "Name" in entry.details["message"]


def test_an_admin_deletion_of_training_is_recorded(admin_client_for, officer):
    client, _admin = admin_client_for
    training = TrainingRecordFactory(staff_member=officer)
    response = client.post(
        reverse("admin:partnership_trainingrecord_delete", args=[training.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    (entry,) = entries(Action.ADMIN_CHANGE)
    assert entry.details["model"] == "partnership.trainingrecord" and entry.details["change"] == "deleted"
    assert LogEntry.objects.count() == 1


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(client, officer, settings):
    client.post(
        reverse("web:sign-in"),
        {"username": "officer", "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("web:sign-in"),
        {"username": "officer", "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"},
    )
    assert [e.client_address for e in entries(Action.SIGN_IN)] == ["127.0.0.1", "203.0.113.7"]


def test_an_api_person_search_is_recorded_with_its_terms(client, officer, person):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    client.get("/api/v1/persons", {"q": "Whitlock"}, headers={"Authorization": f"Bearer {secret}"})
    (entry,) = entries(Action.SEARCH)
    assert entry.channel == Channel.API and entry.details["terms"] == {"q": "Whitlock"}
    assert entry.details["results"] == 1


def test_an_api_read_of_a_person_is_recorded(client, officer, person):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    client.get(f"/api/v1/persons/{person.id}", headers={"Authorization": f"Bearer {secret}"})
    (entry,) = entries(Action.VIEW)
    assert entry.person_id == person.id and entry.item_ids == [] and entry.channel == Channel.API


def test_a_report_run_is_recorded(client, person, police):
    lead = StaffMemberFactory(agency=police, role=Role.IG_LEAD)
    client.force_login(lead)
    client.get(reverse("ledger:report", args=["people", person.id]))
    assert [e.actor_id for e in entries(Action.REPORT)] == [lead.pk]
