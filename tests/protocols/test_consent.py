"""Consent where a clause needs it: recording, expiry, withdrawal, overrides, the pages, the ledger."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people.models import AccessListKind
from iomshare.protocols import consent
from iomshare.protocols.decisions import RefusalReason, access_grid
from iomshare.protocols.models import ConsentMethod, ConsentOverride, ConsentRecord, Purpose
from tests.days import on_the_day
from tests.factories import (
    TEST_PASSWORD,
    ClauseDocumentFactory,
    PersonFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)

pytestmark = pytest.mark.django_db


def review() -> dict:
    """The review date every access list entry needs (people.access_lists): 90 days from the day the
    test runs."""
    return {"review_on": dt.date.today() + dt.timedelta(days=90)}


def purpose(code):
    return Purpose.objects.get(code=code)


def give(person, agency, by, *, purposes=None, given_on=None, expires_on=None):
    return consent.record_consent(
        person,
        agency,
        purposes,
        given_on=given_on or timezone.localdate() - dt.timedelta(days=3),
        expires_on=expires_on,
        method=ConsentMethod.WRITTEN,
        by=by,
    )


@pytest.fixture
def lead(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def overrider(lead):
    lead.user_permissions.add(Permission.objects.get(codename="override_consent"))
    return type(lead).objects.get(pk=lead.pk)  # fresh: Django caches permissions per instance


def test_consent_for_all_purposes_counts_for_any_purpose_until_it_expires(police, practitioner, person):
    today = timezone.localdate()
    give(person, police, practitioner, expires_on=today + dt.timedelta(days=10))
    assert consent.consented_sources(person.pk, "risk_management", on=today) == {police.pk}
    assert consent.consented_sources(person.pk, "health", on=today + dt.timedelta(days=10)) == {police.pk}
    assert consent.consented_sources(person.pk, "health", on=today + dt.timedelta(days=11)) == set()
    assert consent.consented_sources(person.pk, "health", on=today - dt.timedelta(days=4)) == set()


def test_consent_for_some_purposes_counts_only_for_those(police, probation, practitioner, person):
    give(person, police, practitioner, purposes=[purpose("health"), purpose("accommodation")])
    assert consent.consented_sources(person.pk, "health") == {police.pk}
    assert consent.consented_sources(person.pk, "risk_management") == set()
    assert consent.consented_sources(PersonFactory().pk, "health") == set()


def test_withdrawal_takes_effect_at_once_and_is_on_the_ledger(police, practitioner, person):
    today = timezone.localdate()
    record = give(person, police, practitioner)
    consent.withdraw_consent(record, by=practitioner, notes="Told me by phone")
    assert consent.consented_sources(person.pk, "health", on=today) == set()
    # Before the day of withdrawal it was in force: the history stays true.
    assert consent.consented_sources(person.pk, "health", on=today - dt.timedelta(days=1)) == {police.pk}
    entry = LedgerEntry.objects.get(action=Action.CONSENT_WITHDRAWN)
    assert entry.person_id == person.pk and entry.details["notes"] == "Told me by phone"
    with pytest.raises(InvalidInput, match="already withdrawn"):
        consent.withdraw_consent(record, by=practitioner)


def test_recording_consent_is_on_the_ledger(police, practitioner, person):
    give(person, police, practitioner, purposes=[purpose("health")])
    entry = LedgerEntry.objects.get(action=Action.CONSENT_RECORDED)
    assert entry.person_id == person.pk and entry.actor_username == practitioner.username
    assert entry.details["sharing_agency"] == police.code and entry.details["purposes"] == ["health"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"given_on": None}, "given_on", "Enter the date consent was given"),
        ({"given_on": lambda today: today + dt.timedelta(days=1)}, "given_on", "today or in the past"),
        ({"expires_on": lambda today: today - dt.timedelta(days=1)}, "expires_on", "today or in the future"),
        ({"purposes": []}, "purposes", "Select at least one purpose"),
        ({"sharing_agency": None}, "sharing_agency", "Select the agency"),
        ({"method": "telepathy"}, "method", "Select how consent was given"),
    ],
)
def test_bad_consent_is_refused_field_by_field_and_nothing_is_written(
    police, practitioner, person, changes, field, message
):
    values = {
        "sharing_agency": police,
        "purposes": None,
        "given_on": timezone.localdate(),
        "expires_on": None,
        "method": ConsentMethod.VERBAL,
    } | on_the_day(changes)
    with pytest.raises(InvalidInput) as raised:
        consent.record_consent(
            person,
            values.pop("sharing_agency"),
            values.pop("purposes"),
            by=practitioner,
            **values,
        )
    assert message in raised.value.field_errors[field]
    assert not ConsentRecord.objects.exists() and not LedgerEntry.objects.exists()


def test_volunteers_and_partnership_managers_cannot_record_consent(police, volunteer, person):
    manager = StaffMemberFactory(agency=police, role=Role.PARTNERSHIP_MANAGER)
    for member in (volunteer, manager):
        with pytest.raises(NotPermitted):
            give(person, police, member)
    assert not ConsentRecord.objects.exists()


def test_a_consent_clause_shares_only_with_consent_in_force(police, practitioner, person):
    active_protocol(
        ProtocolDocumentFactory(
            purposes=["health"],
            clauses=[
                ClauseDocumentFactory(categories=["health"], conditions={"consent_needed": True}),
            ],
        )
    )

    def grid():
        sources = consent.consented_sources(person.pk, "health") | consent.overridden_sources(
            practitioner, person.pk, "health"
        )
        return access_grid(practitioner, "health", consented_sources=sources)

    assert grid().refusals[(police.pk, "health")].reason == RefusalReason.CONSENT_NOT_RECORDED
    record = give(person, police, practitioner, purposes=[purpose("health")])
    assert grid().allows(police.pk, "health", 1)
    consent.withdraw_consent(record, by=practitioner)
    assert not grid().allows(police.pk, "health", 1)


# --- overrides ---------------------------------------------------------------------------------------


def test_an_override_needs_the_permission(police, lead, person):
    with pytest.raises(NotPermitted, match="permission to override consent"):
        consent.override_consent(person, police, purpose("health"), by=lead, reason="Risk of harm", hours=4)
    assert not ConsentOverride.objects.exists() and not LedgerEntry.objects.exists()


def test_an_override_needs_a_reason_and_lasts_72_hours_at_most(probation, overrider, person):
    for reason, hours, field in [
        ("", 4, "reason"),
        ("Risk", 73, "hours"),
        ("Risk", 0, "hours"),
        ("R", None, "hours"),
    ]:
        with pytest.raises(InvalidInput) as raised:
            consent.override_consent(
                person, probation, purpose("health"), by=overrider, reason=reason, hours=hours
            )
        assert field in raised.value.field_errors
    assert not ConsentOverride.objects.exists()


def test_an_override_is_for_its_holder_person_agency_and_purpose_until_it_expires(
    police, probation, overrider, practitioner, person
):
    override = consent.override_consent(
        person, probation, purpose("health"), by=overrider, reason="Child at risk tonight", hours=72
    )
    assert consent.overridden_sources(overrider, person.pk, "health") == {probation.pk}
    assert consent.overridden_sources(overrider, person.pk, "risk_management") == set()
    assert consent.overridden_sources(overrider, PersonFactory().pk, "health") == set()
    assert consent.overridden_sources(practitioner, person.pk, "health") == set()
    later = override.granted_at + dt.timedelta(hours=72)
    assert consent.overridden_sources(overrider, person.pk, "health", on=later - dt.timedelta(minutes=1))
    assert consent.overridden_sources(overrider, person.pk, "health", on=later) == set()
    entry = LedgerEntry.objects.get(action=Action.CONSENT_OVERRIDDEN)
    assert entry.purpose == "health" and entry.details["reason"] == "Child at risk tonight"
    assert entry.details["sharing_agency"] == probation.code and entry.actor_username == overrider.username


def test_losing_the_permission_ends_ones_overrides_at_once(probation, overrider, person):
    consent.override_consent(person, probation, purpose("health"), by=overrider, reason="Risk", hours=2)
    overrider.user_permissions.clear()
    fresh = type(overrider).objects.get(pk=overrider.pk)
    assert consent.overridden_sources(fresh, person.pk, "health") == set()


def test_no_override_where_consent_is_in_force(police, practitioner, overrider, person):
    give(person, police, practitioner)
    with pytest.raises(InvalidInput, match="nothing to override"):
        consent.override_consent(person, police, purpose("health"), by=overrider, reason="Risk", hours=2)


# --- the pages ----------------------------------------------------------------------------------------


def signed_in(client, member):
    assert client.login(username=member.username, password=TEST_PASSWORD)
    return client


def test_the_consent_page_records_consent_and_lists_it(client, police, practitioner, person):
    today = timezone.localdate()
    signed_in(client, practitioner)
    url = reverse("protocols:consent", kwargs={"person_id": person.pk})
    response = client.post(
        url,
        {
            "sharing_agency": police.code,
            "scope": "some",
            "purposes": ["health"],
            "given_on-day": today.day,
            "given_on-month": today.month,
            "given_on-year": today.year,
            "method": "written",
        },
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert [p.code for p in record.purposes.all()] == ["health"] and not record.all_purposes
    page = client.get(url).content.decode()
    assert "Northshire Police" in page and "In force" in page


def test_the_consent_page_shows_every_problem_and_records_nothing(client, practitioner, person):
    signed_in(client, practitioner)
    response = client.post(
        reverse("protocols:consent", kwargs={"person_id": person.pk}),
        {"given_on-day": "31", "given_on-month": "2"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select whether consent covers all purposes or only some" in page
    assert "must include a year" in page
    assert not ConsentRecord.objects.exists()


def test_withdrawing_from_the_page_asks_first_then_stops_sharing(client, police, practitioner, person):
    record = give(person, police, practitioner)
    signed_in(client, practitioner)
    url = reverse("protocols:consent-withdraw", kwargs={"person_id": person.pk, "consent_id": record.pk})
    assert "cannot be undone" in client.get(url).content.decode()
    assert consent.consented_sources(person.pk, "health") == {police.pk}
    assert client.post(url, {"notes": "Asked us to stop"}).status_code == 302
    assert consent.consented_sources(person.pk, "health") == set()


def test_volunteers_may_not_open_the_consent_page(client, volunteer, person):
    from tests.factories import CohortMembershipFactory

    # Allocated to the volunteer, so they may know him (people.visibility), yet may not record consent.
    CohortMembershipFactory(person=person, lead_agency=volunteer.agency).key_workers.add(volunteer)
    signed_in(client, volunteer)
    assert client.get(reverse("protocols:consent", kwargs={"person_id": person.pk})).status_code == 403


def test_the_override_page_needs_the_permission(client, lead, overrider, probation, person):
    url = reverse("protocols:consent-override", kwargs={"person_id": person.pk})
    practitioner = StaffMemberFactory(agency=probation, role=Role.PRACTITIONER)
    signed_in(client, practitioner)
    assert client.get(url).status_code == 403
    signed_in(client, overrider)
    response = client.post(
        url, {"sharing_agency": probation.code, "purpose": "health", "hours": "6", "reason": ""}
    )
    assert response.status_code == 400 and "Enter the reason" in response.content.decode()
    response = client.post(
        url,
        {"sharing_agency": probation.code, "purpose": "health", "hours": "6", "reason": "Risk to a child"},
    )
    assert response.status_code == 302
    override = ConsentOverride.objects.get()
    assert abs(override.expires_at - timezone.now() - dt.timedelta(hours=6)) < dt.timedelta(minutes=1)


def test_a_person_hidden_by_an_access_list_has_no_consent_page(client, police, practitioner, lead, person):
    from iomshare.people.access_lists import add_to_access_list

    add_to_access_list(
        person, AccessListKind.EXCLUSION, practitioner, by=lead, reason="Neighbour", **review()
    )
    signed_in(client, practitioner)
    assert client.get(reverse("protocols:consent", kwargs={"person_id": person.pk})).status_code == 404
