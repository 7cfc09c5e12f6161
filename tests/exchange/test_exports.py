import csv
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from iomshare.exchange import exports, extract_runs
from iomshare.exchange.models import ExtractRun
from iomshare.kit.csv_safety import safe_cell
from iomshare.ledger.models import LedgerEntry
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from tests.factories import (
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    InformationItemFactory,
    StaffMemberFactory,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def validator(name: str) -> Draft202012Validator:
    registry = Registry().with_resources(
        (
            f"https://iomshare.example/schemas/{path.name}",
            Resource.from_contents(json.loads(path.read_text())),
        )
        for path in SCHEMAS.glob("*.schema.json")
    )
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def picture(officer, probation, person):
    CohortMembershipFactory(person=person, lead_agency=officer.agency)
    AgencyIdentifierFactory(person=person, agency=officer.agency, scheme="local", value="POL-1")
    own = [
        InformationItemFactory(
            person=person, holding_agency=officer.agency, author=officer, summary="Seen in town"
        ),
        InformationItemFactory(
            person=person,
            holding_agency=officer.agency,
            author=officer,
            summary='=HYPERLINK("http://evil.example")',
            details="+44 cmd",
            payload={
                "form": "contact_record",
                "version": 1,
                "answers": {"contact_type": "telephone", "outcome": "rescheduled"},
            },
        ),
    ]
    InformationItemFactory(person=person, holding_agency=probation, summary="Probation's own note")
    return own


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("ok", "ok"),
        (3, 3),
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_made_plain_text(value, expected):
    assert safe_cell(value) == expected


def test_a_picture_export_follows_the_published_schema(officer, person, picture):
    document = exports.picture_document(officer, person, purpose="risk_management")
    errors = list(validator("person-picture.schema.json").iter_errors(document))
    assert errors == []
    # Every identifier the viewer may see (the shared person fixture holds one per agency), POL-1 among them.
    assert {"scheme": "local", "value": "POL-1", "agency": "police"} in document["person"]["identifiers"]


def test_an_export_holds_only_what_the_viewer_may_see(officer, person, picture):
    document = exports.picture_document(officer, person)
    assert {item["summary"] for item in document["items"]} == {item.summary for item in picture}


def test_coded_answers_are_exported_with_their_terms(officer, person, picture):
    document = exports.picture_document(officer, person)
    form = next(item["form"] for item in document["items"] if item["form"])
    assert form["coded_answers"]["outcome"] == {
        "scheme": "contact_outcome",
        "codes": ["rescheduled"],
        "terms": ["Rescheduled"],
    }


def test_every_export_is_on_the_ledger_with_the_items_it_held(officer, person, picture):
    exports.picture_csv(officer, person, purpose="risk_management")
    entry = LedgerEntry.objects.get(action="export")
    assert sorted(entry.item_ids) == sorted(str(item.pk) for item in picture)
    assert entry.purpose == "risk_management" and entry.actor_username == officer.username
    assert entry.person_id == person.pk


def test_a_csv_export_cannot_run_formulas_in_a_spreadsheet(officer, person, picture):
    rows = list(csv.DictReader(io.StringIO(exports.picture_csv(officer, person))))
    assert len(rows) == 2
    risky = next(row for row in rows if "HYPERLINK" in row["summary"])
    assert risky["summary"].startswith("'=") and risky["details"] == "'+44 cmd"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_bulk_extract_follows_the_published_schema_and_records_each_person(officer, person, picture):
    document = json.loads("".join(exports.extract_json(officer, purpose="risk_management")))
    assert list(validator("extract.schema.json").iter_errors(document)) == []
    assert [len(entry["items"]) for entry in document["people"]] == [2]
    assert LedgerEntry.objects.filter(action="export", person_id=person.pk).count() == 1


def test_a_bulk_csv_extract_has_one_row_per_item(officer, person, picture):
    rows = list(csv.reader(io.StringIO("".join(exports.extract_csv(officer)))))
    assert rows[0] == exports.CSV_COLUMNS and len(rows) == 3


def test_the_person_page_export_downloads_json_and_csv(client, officer, person, picture):
    client.force_login(officer)
    response = client.get(reverse("exchange:export-person", args=[person.pk, "json"]))
    assert (
        response["Content-Disposition"].endswith('.json"')
        and json.loads(response.content)["format"] == "iomshare-person-picture"
    )
    response = client.get(reverse("exchange:export-person", args=[person.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv") and b"Probation's own note" not in response.content
    assert client.get(reverse("exchange:export-person", args=[person.pk, "xml"])).status_code == 404


def test_volunteers_cannot_export(client, police, person, picture):
    client.force_login(StaffMemberFactory(agency=police, role=Role.VOLUNTEER, is_volunteer=True))
    assert client.get(reverse("exchange:export-person", args=[person.pk, "json"])).status_code == 403


def test_bulk_extracts_are_for_ig_leads_and_systems(client, officer, police, person, picture):
    client.force_login(officer)
    assert client.get(reverse("exchange:extracts")).status_code == 403
    assert client.post(reverse("exchange:extracts"), {"format": "csv"}).status_code == 403
    client.force_login(StaffMemberFactory(agency=police, role=Role.IG_LEAD))
    response = client.post(reverse("exchange:extracts"), {"format": "csv"})
    run = extract_runs.build(ExtractRun.objects.get().pk)  # what the worker does
    assert response.url == reverse("exchange:extract-run", args=[run.pk])
    download = client.get(reverse("exchange:extract-download", args=[run.pk]))
    assert b"Seen in town" in b"".join(download.streaming_content)


def test_the_api_exports_a_person(client, officer, person, picture):
    _token, secret = issue_token(for_staff=officer, name="police case system", by=None)
    response = client.get(
        f"/api/v1/persons/{person.pk}/export",
        {"format": "json"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert list(validator("person-picture.schema.json").iter_errors(response.json())) == []
    response = client.get(
        f"/api/v1/persons/{person.pk}/export",
        {"format": "csv"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.content.decode().splitlines()[0].startswith("person_id,given_name")
