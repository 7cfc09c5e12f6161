"""Agencies managed in the web pages by a partnership administrator: add, rename, assurance and its
expiry, identifier schemes held; each change on the ledger with what it was; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership import agencies
from iomshare.partnership.models import Agency, AssuranceLevel, DeclaredIdentifierScheme, Role
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def administrator(police):
    return StaffMemberFactory(username="admin.one", agency=police, role=Role.ADMIN)


def admin_changes():
    return [e.details for e in LedgerEntry.objects.filter(action=Action.ADMIN_CHANGE).order_by("id")]


def test_an_administrator_adds_an_agency_and_it_is_on_the_ledger(administrator):
    scheme = DeclaredIdentifierScheme.objects.create(
        code="mind-case", name="Mind case number", pattern=r"M\d{5}", example="M12345"
    )
    agency = agencies.add_agency(
        code="Northshire-Mind",
        name="Northshire Mind",
        kind="vcs",
        is_statutory=False,
        assurance_level=AssuranceLevel.SELF_ASSESSED,
        assurance_expires_on=in_days(200),
        identifier_schemes=[scheme],
        by=administrator,
    )
    assert agency.code == "northshire-mind" and agency.assurance_on() == AssuranceLevel.SELF_ASSESSED
    assert list(agency.identifier_schemes.all()) == [scheme]
    (entry,) = admin_changes()
    assert entry["agency"] == "northshire-mind" and entry["change"] == "agency added"
    assert entry["after"]["identifier_schemes"] == ["mind-case"]


def test_bad_input_names_each_field_and_adds_nothing(administrator, police):
    with pytest.raises(InvalidInput) as error:
        agencies.add_agency(
            code="police",
            name="northshire police",
            kind="charity",
            is_statutory=None,
            assurance_level=AssuranceLevel.CYBER_ESSENTIALS,
            assurance_expires_on=None,
            by=administrator,
        )
    assert set(error.value.field_errors) == {"code", "name", "kind", "is_statutory", "assurance_expires_on"}
    assert "already used" in error.value.field_errors["code"]
    with pytest.raises(InvalidInput) as error:
        agencies.add_agency(
            code="x y",
            name="Open Door",
            kind="vcs",
            is_statutory=True,
            assurance_level=AssuranceLevel.CYBER_ESSENTIALS,
            assurance_expires_on=in_days(-1),
            by=administrator,
        )
    assert set(error.value.field_errors) == {"code", "is_statutory", "assurance_expires_on"}
    assert Agency.objects.count() == 1 and not admin_changes()


def test_lapsing_assurance_is_a_change_with_what_it_was(administrator, police):
    police.assurance_level, police.assurance_expires_on = AssuranceLevel.CYBER_ESSENTIALS_PLUS, in_days(90)
    police.save()
    changed = agencies.change_agency(
        police,
        name="Northshire Constabulary",
        kind="police",
        is_statutory=True,
        assurance_level=AssuranceLevel.NONE,
        assurance_expires_on=in_days(90),
        identifier_schemes=[],
        by=administrator,
    )
    assert changed.name == "Northshire Constabulary" and changed.assurance_expires_on is None
    assert changed.assurance_on() == AssuranceLevel.NONE and changed.code == "police"
    (entry,) = admin_changes()
    assert entry["before"]["assurance_level"] == AssuranceLevel.CYBER_ESSENTIALS_PLUS
    assert entry["after"]["assurance_level"] == AssuranceLevel.NONE
    assert entry["before"]["name"] == "Northshire Police"


def test_a_change_that_changes_nothing_is_refused(administrator, police):
    with pytest.raises(InvalidInput):
        agencies.change_agency(
            police,
            name=police.name,
            kind=police.kind,
            is_statutory=police.is_statutory,
            assurance_level=police.assurance_level,
            assurance_expires_on=police.assurance_expires_on,
            identifier_schemes=[],
            by=administrator,
        )
    assert not admin_changes()


def test_only_an_administrator_manages_agencies(police, officer):
    manager = StaffMemberFactory(agency=police, role=Role.PARTNERSHIP_MANAGER)
    for someone in (officer, manager):
        with pytest.raises(NotPermitted):
            agencies.add_agency(
                code="open-door", name="Open Door", kind="vcs", is_statutory=False, by=someone
            )
    assert Agency.objects.count() == 1


def test_the_pages_list_add_and_change_agencies(client, administrator, police):
    client.force_login(administrator)
    listed = client.get("/account/agencies/")
    assert listed.status_code == 200 and "Northshire Police" in listed.content.decode()
    expiry = in_days(300)
    bad = client.post(
        "/account/agencies/new/",
        {
            "code": "",
            "name": "Open Door",
            "kind": "vcs",
            "is_statutory": "yes",
            "assurance_level": "2",
            "assurance_expires_on-day": "31",
            "assurance_expires_on-month": "2",
            "assurance_expires_on-year": "2027",
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 422 and "Enter a code" in page and "must be a real date" in page
    assert "not a statutory partner" in page and Agency.objects.count() == 1
    added = client.post(
        "/account/agencies/new/",
        {
            "code": "open-door",
            "name": "Open Door",
            "kind": "vcs",
            "is_statutory": "no",
            "assurance_level": "2",
            "assurance_expires_on-day": str(expiry.day),
            "assurance_expires_on-month": str(expiry.month),
            "assurance_expires_on-year": str(expiry.year),
        },
        follow=True,
    )
    assert added.status_code == 200 and "Open Door is added" in added.content.decode()
    assert Agency.objects.get(code="open-door").assurance_expires_on == expiry
    form = client.get("/account/agencies/open-door/")
    assert form.status_code == 200 and 'value="Open Door"' in form.content.decode()
    renamed = client.post(
        "/account/agencies/open-door/",
        {"name": "Open Door Northshire", "kind": "vcs", "is_statutory": "no", "assurance_level": "0"},
    )
    assert renamed.status_code == 302 and Agency.objects.get(code="open-door").name == "Open Door Northshire"
    assert [e["change"] for e in admin_changes()] == ["agency added", "agency changed"]


def test_the_pages_are_for_administrators_only(client, officer):
    client.force_login(officer)
    assert client.get("/account/agencies/").status_code == 403
    assert client.get("/account/agencies/new/").status_code == 403
