"""The corpus of bad extracts: each gets a clear error naming its row and column, and changes nothing."""

import json

import pytest

from iomshare.exchange.imports import import_file
from iomshare.exchange.models import ImportedItemKey, ImportProfile
from iomshare.partnership.models import Role
from iomshare.records.models import InformationItem
from tests.exchange.imports.conftest import CONTACT_HEADER, contact_row, csv_bytes, good_contacts
from tests.factories import AgencyIdentifierFactory, StaffMemberFactory

FUTURE = "01/01/2099"
# name: (file bytes, profile, expected (row, column, words of the reason))
CORPUS = {
    "latin-1 text": (
        csv_bytes([contact_row("C1"), contact_row("C2", notes="Café visit")], encoding="latin-1"),
        "probation-contacts",
        (3, "", "the file is not UTF-8 text: line 3 has the byte 0xE9"),
    ),
    "UTF-16 with a byte-order mark": (
        csv_bytes(good_contacts(2), encoding="utf-16"),
        "probation-contacts",
        (0, "", "the file is UTF-16 or UTF-32 text"),
    ),
    "UTF-16 without a byte-order mark": (
        csv_bytes(good_contacts(2), encoding="utf-16-le"),
        "probation-contacts",
        (0, "", "the file looks like UTF-16 text"),
    ),
    "a ragged row": (
        csv_bytes([contact_row("C1"), contact_row("C2")[:5], contact_row("C3")]),
        "probation-contacts",
        (3, "", "the row has 5 values but the header has 6 columns"),
    ),
    "a row too long": (
        csv_bytes([contact_row("C1"), [*contact_row("C2"), "extra"]]),
        "probation-contacts",
        (3, "", "the row has 7 values but the header has 6 columns"),
    ),
    "two rows with one key": (
        csv_bytes([contact_row("C1"), contact_row("C2"), contact_row("C1")]),
        "probation-contacts",
        (4, "CONTACT_ID", "row 2 has the same key"),
    ),
    "a row without a key": (
        csv_bytes([contact_row("C1"), contact_row("")]),
        "probation-contacts",
        (3, "CONTACT_ID", "the row has no key"),
    ),
    "an unknown code": (
        csv_bytes([contact_row("C1", outcome="WENTWELL")]),
        "probation-contacts",
        (2, "OUTCOME", "'WENTWELL' is not a code of contact outcomes"),
    ),
    "a code mapped to two concepts": (
        csv_bytes(
            [
                contact_row("C1", crn="SCM-00001", outcome="MET"),
                contact_row("C2", crn="SCM-00001", outcome="DNA"),
            ]
        ),
        "charity-contacts",
        (3, "OUTCOME", "'DNA' is mapped by Second Chance Mentoring to 2 different contact outcomes"),
    ),
    "an impossible date": (
        csv_bytes([contact_row("C1", day="31/02/2026")]),
        "probation-contacts",
        (2, "CONTACT_DATE", "not a real date: write it as day/month/year, for example 27/03/2026"),
    ),
    "a date in the wrong format": (
        csv_bytes([contact_row("C1", day="2026-01-05")]),
        "probation-contacts",
        (2, "CONTACT_DATE", "not a real date: write it as day/month/year"),
    ),
    "a contact in the future": (
        csv_bytes([contact_row("C1", day=FUTURE)]),
        "probation-contacts",
        (2, "CONTACT_DATE", "must be today or in the past"),
    ),
    "a huge field": (
        csv_bytes([contact_row("C1", notes="x" * 25_000)]),
        "probation-contacts",
        (2, "NOTES", "the value is 25,000 characters long; the most a cell may hold is 20,000"),
    ),
    "a field over the form's limit": (
        csv_bytes([contact_row("C1", notes="y" * 5_001)]),
        "probation-contacts",
        (2, "NOTES", "must be 5,000 characters or fewer"),
    ),
    "a formula payload": (
        csv_bytes([contact_row("C1", notes="=cmd|' /C calc'!A0")]),
        "probation-contacts",
        (2, "NOTES", "starts with '=', so a spreadsheet would run it as a formula"),
    ),
    "an @ formula payload": (
        csv_bytes([contact_row("C1", notes="@SUM(1+1)*cmd")]),
        "probation-contacts",
        (2, "NOTES", "starts with '@'"),
    ),
    "a formula in a key": (
        csv_bytes([contact_row("+C1")]),
        "probation-contacts",
        (2, "CONTACT_ID", "starts with '+'"),
    ),
    "a NUL byte": (
        csv_bytes([contact_row("C1", notes="bad\x00byte")]),
        "probation-contacts",
        (2, "NOTES", "contains a NUL character"),
    ),
    "a person nobody knows": (
        csv_bytes([contact_row("C1", crn="Z999999")]),
        "probation-contacts",
        (2, "CRN", "nobody in the partnership has the local identifier Z999999"),
    ),
    "a missing column": (
        csv_bytes([[*contact_row("C1")[:4], "Seen"]], header=[h for h in CONTACT_HEADER if h != "OUTCOME"]),
        "probation-contacts",
        (1, "OUTCOME", "the column is missing from the file's header row"),
    ),
    "a column named twice": (
        csv_bytes([[*contact_row("C1"), "x"]], header=[*CONTACT_HEADER, "NOTES"]),
        "probation-contacts",
        (1, "NOTES", "the column appears twice (columns 6 and 7)"),
    ),
    "an empty file": (b"", "probation-contacts", (0, "", "the file is empty")),
    "JSON naming a key twice": (
        b'[{"episode_id": "E1", "episode_id": "E2", "nhs_number": "x"}]',
        "health-interventions",
        (0, "", "the key 'episode_id' appears twice in one object"),
    ),
    "JSON that is not JSON": (
        b'[{"episode_id": "E1",}\n]',
        "health-interventions",
        (1, "", "the file is not valid JSON"),
    ),
    "JSON lines with a broken line": (
        b'{"episode_id": "E1", "nhs_number": "9434765000"}\n{"episode_id": "E2", \n',
        "health-interventions",
        (2, "", "the line is not valid JSON"),
    ),
    "JSON with a nested value": (
        json.dumps([{"episode_id": "E1", "nhs_number": {"value": "1"}}]).encode(),
        "health-interventions",
        (1, "", "a value must be text, a number or true/false"),
    ),
    "an NHS number that fails its check digit": (
        json.dumps(
            [
                {
                    "episode_id": "E1",
                    "nhs_number": "9434765911",
                    "treatment": "OST",
                    "pathway": "health",
                    "provider": "Recovery",
                    "started": "2026-01-05",
                    "ended": None,
                    "sessions": 1,
                }
            ]
        ).encode(),
        "health-interventions",
        (1, "nhs_number", "fails its check digit"),
    ),
    "a workbook that is not a workbook": (
        b"Tenancy ref,Housing ID\nT1,HOU-1\n",
        "council-housing",
        (0, "", "the file is not an Excel workbook (.xlsx)"),
    ),
}


@pytest.fixture
def charity_contacts(partnership, people):
    """The charity's contacts, in the same shape as probation's but with its own (ambiguous) codes."""
    AgencyIdentifierFactory(
        person=people[0], agency=partnership["charity"], scheme="local", value="SCM-00001"
    )
    profile = ImportProfile.objects.get(name="probation-contacts")
    profile.pk, profile.name, profile.agency = None, "charity-contacts", partnership["charity"]
    profile.save()
    return profile


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_bad_file_gets_a_clear_error_and_changes_nothing(
    case, partnership, people, charity_contacts, write_file
):
    content, profile_name, (row, column, reason) = CORPUS[case]
    profile = ImportProfile.objects.get(name=profile_name)
    importer = StaffMemberFactory(agency=profile.agency, role=Role.IG_LEAD)
    items_before, keys_before = InformationItem.objects.count(), ImportedItemKey.objects.count()
    suffix = {"csv": ".csv", "json": ".json", "xlsx": ".xlsx"}[profile.file_type]
    outcome = import_file(profile, write_file(content, f"bad{suffix}"), by=importer, write=True)
    assert not outcome.written and outcome.rows_created == 0
    assert (InformationItem.objects.count(), ImportedItemKey.objects.count()) == (items_before, keys_before)
    matching = [p for p in outcome.problems if p.row == row and p.column == column and reason in p.reason]
    assert matching, f"expected row {row}, column {column!r}: {reason!r}; got {outcome.problems}"


def test_a_utf8_byte_order_mark_is_accepted(people, probation_ig, write_file):
    profile = ImportProfile.objects.get(name="probation-contacts")
    outcome = import_file(
        profile, write_file(csv_bytes(good_contacts(2), encoding="utf-8-sig")), by=probation_ig, write=True
    )
    assert outcome.problem_count == 0 and outcome.rows_created == 2


def test_a_semicolon_separated_extract_is_read(people, probation_ig, write_file):
    profile = ImportProfile.objects.get(name="probation-contacts")
    outcome = import_file(
        profile, write_file(csv_bytes(good_contacts(2), delimiter=";")), by=probation_ig, write=False
    )
    assert outcome.problem_count == 0 and outcome.rows_valid == 2


def test_a_negative_number_is_not_taken_for_a_formula(partnership, people, write_file):
    from iomshare.exchange.mapping import check_text

    assert check_text("-5") is None
    assert "formula" in check_text("-5+cmd")
