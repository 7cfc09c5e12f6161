"""The page where a practitioner chooses the format and purpose of a person's picture, then downloads it."""

import csv
import io
import json

from django.urls import reverse

from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from tests.factories import InformationItemFactory, StaffMemberFactory


def test_the_export_page_offers_formats_and_the_viewer_s_purposes(client, officer, person):
    client.force_login(officer)
    response = client.get(reverse("exchange:export-person-page", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Export this person&#x27;s picture" in html or "Export this person's picture" in html
    assert 'name="format" type="radio" value="json"' in html
    assert "Only my agency&#x27;s records" in html or "Only my agency's records" in html


def test_choosing_no_format_is_an_error_that_names_the_field_and_downloads_nothing(client, officer, person):
    client.force_login(officer)
    before = LedgerEntry.objects.count()
    response = client.get(reverse("exchange:export-person-page", args=[person.pk]), {"purpose": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and '<a href="#format">Select the format of the download</a>' in html
    assert LedgerEntry.objects.count() == before


def test_a_purpose_the_viewer_has_not_got_is_refused(client, officer, person):
    client.force_login(officer)
    response = client.get(
        reverse("exchange:export-person-page", args=[person.pk]), {"format": "json", "purpose": "made_up"}
    )
    assert response.status_code == 400
    assert "Select one of the purposes listed" in response.content.decode()


def test_the_page_downloads_the_picture_as_json_and_csv_and_records_the_export(client, officer, person):
    InformationItemFactory(
        person=person, holding_agency=officer.agency, author=officer, summary="Seen in town"
    )
    client.force_login(officer)
    page = reverse("exchange:export-person-page", args=[person.pk])
    before = LedgerEntry.objects.filter(action="export").count()
    response = client.get(page, {"format": "json", "purpose": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.json"')
    document = json.loads(response.content)
    assert [item["summary"] for item in document["items"]] == ["Seen in town"]
    response = client.get(page, {"format": "csv", "purpose": ""})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["summary"] for row in rows] == ["Seen in town"]
    assert LedgerEntry.objects.filter(action="export").count() == before + 2


def test_volunteers_cannot_open_the_export_page(client, police, person):
    client.force_login(StaffMemberFactory(agency=police, role=Role.VOLUNTEER, is_volunteer=True))
    assert client.get(reverse("exchange:export-person-page", args=[person.pk])).status_code == 403


def test_imports_are_reached_through_governance_only_by_roles_that_import(client, police, officer):
    client.force_login(officer)
    html = client.get(reverse("vocabulary:index")).content.decode()
    assert ">Vocabulary</a>" in html and ">Forms</a>" in html
    assert ">Governance</a>" not in html
    client.force_login(StaffMemberFactory(agency=police, role=Role.IG_LEAD))
    html = client.get(reverse("vocabulary:index")).content.decode()
    assert ">Governance</a>" in html and 'aria-current="page">Vocabulary</a>' in html
    assert "Imports and exports" in client.get(reverse("web:governance")).content.decode()
