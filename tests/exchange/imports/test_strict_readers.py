"""Readers refuse what they cannot read exactly, within bounds: each bad file of the corpus (built here,
not kept as fixtures) is refused with its row and column named, nothing changes, and the work done
before the refusal is bounded (counted in rows read, not timed)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.utils import timezone

from iomshare.exchange.imports import import_file
from iomshare.exchange.models import ImportedItemKey, ImportProfile
from iomshare.partnership.models import Role
from iomshare.records.models import InformationItem
from tests.exchange.imports.conftest import CONTACT_HEADER, CRNS, csv_bytes, good_contacts, nhs_number
from tests.factories import StaffMemberFactory

HEADER_LINE = ",".join(CONTACT_HEADER)
TENANCY_HEADER = ["Tenancy ref", "Housing ID", "Summary", "Notes", "Start date", "End date"]


def contact_line(key: str, notes: str = "Seen at home", crn: str = CRNS[0], day: str | None = None) -> str:
    day = day or timezone.localdate().strftime("%d/%m/%Y")
    return f"{key},{crn},{day},HV,ATTC,{notes}"


def raw_csv(*lines: str, end: str = "\r\n") -> bytes:
    """A CSV file written by hand, line by line, so it can be as broken as the case needs."""
    return ("\r\n".join([HEADER_LINE, *lines]) + end).encode()


def tenancy(key: str, person: int = 1, notes: object = "Supported flat") -> list[object]:
    return [key, f"HOU-000000{person}", "Tenancy at Elm Court", notes, timezone.localdate(), None]


def workbook_bytes(
    rows: list[list[object]], header: list[str] = TENANCY_HEADER, far: tuple | None = None
) -> bytes:
    """An .xlsx of `header` and `rows`; `far` = (row, column, value) puts one more cell anywhere."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if far is not None:
        sheet.cell(row=far[0], column=far[1], value=far[2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_extra_part(workbook: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more part in its zip, packed as tightly as zip packs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w") as target:
        for part in source.infolist():
            target.writestr(part, source.read(part.filename), compress_type=zipfile.ZIP_DEFLATED)
        target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def episode(key: str = "E1", **changes: object) -> dict[str, object]:
    record = {
        "episode_id": key,
        "nhs_number": nhs_number("94347650"),
        "treatment": "OST",
        "pathway": "health",
        "provider": "Northshire Recovery",
        "started": "2026-01-05",
        "ended": None,
        "sessions": 1,
    }
    return {**record, **changes}


# name: (file bytes, profile, (row, column, words of the reason), most rows read before the refusal)
CORPUS: dict[str, tuple[bytes, str, tuple[int, str, str], int]] = {
    "a stray quote that never closes swallows the rows after it": (
        raw_csv(
            contact_line("C1"), 'C2,X100001,"07/12/2026,HV,ATTC,Seen', contact_line("C3"), contact_line("C4")
        ),
        "probation-contacts",
        (3, "CONTACT_DATE", "the quote that opens row 3's CONTACT_DATE value (line 3) never closes"),
        1,
    ),
    "a stray quote in a free-text column that never closes": (
        raw_csv(contact_line("C1"), contact_line("C2", notes='"Seen at home'), contact_line("C3")),
        "probation-contacts",
        (3, "NOTES", "never closes"),
        1,
    ),
    "two stray quotes that close across rows": (
        raw_csv(contact_line("C1"), 'C2,X100001,"07/12/2026,HV,ATTC,Seen', contact_line("C3", notes='Seen"')),
        "probation-contacts",
        (3, "CONTACT_DATE", "row 3 runs over lines 3 to 4 of the file"),
        1,
    ),
    "a quote inside a quoted value that is not doubled": (
        raw_csv(contact_line("C1"), contact_line("C2", notes='"Said "hello" twice"'), contact_line("C3")),
        "probation-contacts",
        (3, "NOTES", 'has a quote that is not doubled: inside a quoted value a quote is written twice ("")'),
        1,
    ),
    "a file cut off inside a quoted value": (
        raw_csv(contact_line("C1"), contact_line("C2", notes='"Seen at ho'), end=""),
        "probation-contacts",
        (3, "NOTES", "or the file was cut off"),
        1,
    ),
    "a file cut off part-way through a row": (
        raw_csv(contact_line("C1"), "C2,X100001,07/1", end=""),
        "probation-contacts",
        (3, "", "the row has 3 values but the header has 6 columns"),
        2,
    ),
    "a line break in a key": (
        raw_csv(contact_line("C1"), '"C2\r\nC3",X100001,07/12/2026,HV,ATTC,Seen'),
        "probation-contacts",
        (3, "CONTACT_ID", "CONTACT_ID cannot hold"),
        1,
    ),
    "a line break in a column name": (
        ('"CONTACT\r\nID",' + ",".join(CONTACT_HEADER[1:]) + "\r\n" + contact_line("C1") + "\r\n").encode(),
        "probation-contacts",
        (1, "", "the header row runs over lines 1 to 2"),
        0,
    ),
    "UTF-32 text": (
        csv_bytes(good_contacts(2), encoding="utf-32"),
        "probation-contacts",
        (0, "", "the file is UTF-16 or UTF-32 text"),
        0,
    ),
    "JSON in Latin-1": (
        json.dumps([episode(provider="Café Recovery")], ensure_ascii=False).encode("latin-1"),
        "health-interventions",
        (1, "", "the file is not UTF-8 text: line 1 has the byte 0xE9"),
        0,
    ),
    "JSON in UTF-16": (
        json.dumps([episode()]).encode("utf-16"),
        "health-interventions",
        (0, "", "the file is UTF-16 or UTF-32 text"),
        0,
    ),
    "JSON with a NUL character": (
        json.dumps([episode(provider="bad\x00byte")]).encode(),
        "health-interventions",
        (1, "provider", "contains a NUL character"),
        1,
    ),
    "JSON cut off part-way": (
        json.dumps([episode("E1"), episode("E2")]).encode()[:-40],
        "health-interventions",
        (1, "", "the file is not valid JSON"),
        0,
    ),
    "a workbook cut off part-way": (
        workbook_bytes([tenancy("T1")])[:-200],
        "council-housing",
        (0, "", "the file is not an Excel workbook (.xlsx)"),
        0,
    ),
    "a workbook with one cell in the sheet's far corner": (
        workbook_bytes([tenancy("T1")], far=(1_048_576, 16_384, "x")),
        "council-housing",
        (
            1_048_576,
            "XFD",
            "cell XFD1048576 is in column 16,384; the most columns one import may read is 500",
        ),
        1,
    ),
    "a workbook with one cell far below the table": (
        workbook_bytes([tenancy("T1")], far=(1_048_576, 1, "T9")),
        "council-housing",
        (1_048_576, "Housing ID", "the row does not say who it is about"),
        2,
    ),
    "a workbook row wider than its header": (
        workbook_bytes([[*tenancy("T1"), "extra"]]),
        "council-housing",
        (2, "", "the row has 7 values but the header has 6 columns"),
        1,
    ),
    "a workbook carrying a zip bomb": (
        with_extra_part(workbook_bytes([tenancy("T1")]), "xl/media/padding.bin", bytes(8 * 1024 * 1024)),
        "council-housing",
        (0, "", "the workbook's part xl/media/padding.bin unpacks to"),
        0,
    ),
}

FORMULAS = {
    "=": ("=1+1", "starts with '='"),
    "+": ("+1+cmd", "starts with '+'"),
    "-": ("-1+cmd", "starts with '-'"),
    "@": ("@SUM(1+1)", "starts with '@'"),
    "tab": ("\t=1+1", "starts with '='"),
    "carriage return": ("\r=1+1", "starts with '='"),
}
for trigger, (cell, reason) in FORMULAS.items():
    CORPUS[f"a CSV cell starting with {trigger}"] = (
        csv_bytes([good_contacts(1)[0], [*good_contacts(2)[1][:5], cell]]),
        "probation-contacts",
        (3, "NOTES", reason),
        2,
    )
    CORPUS[f"a JSON value starting with {trigger}"] = (
        json.dumps([episode("E1"), episode("E2", provider=cell)]).encode(),
        "health-interventions",
        (2, "provider", reason),
        2,
    )
    CORPUS[f"a workbook text cell starting with {trigger}"] = (
        workbook_bytes([tenancy("T1"), tenancy("T2", person=2, notes=cell)]),
        "council-housing",
        (3, "Notes", reason),
        2,
    )
del CORPUS["a workbook text cell starting with ="]  # openpyxl writes such a cell as a formula: below


def formula_workbook() -> bytes:
    from openpyxl.worksheet.formula import ArrayFormula

    return workbook_bytes(
        [
            tenancy("T1"),
            tenancy("T2", person=2, notes='=HYPERLINK("https://example.org/","Open the case")'),
            tenancy("T3", person=0, notes=ArrayFormula("D4", "=SUM(A1:A2)")),
        ]
    )


CORPUS["a workbook formula cell (HYPERLINK), once imported as an empty note"] = (
    formula_workbook(),
    "council-housing",
    (3, "Notes", "starts with '=', so a spreadsheet would run it as a formula"),
    3,
)
CORPUS["a workbook array formula cell"] = (
    formula_workbook(),
    "council-housing",
    (4, "Notes", "starts with '='"),
    3,
)


def refuse(profile_name: str, content: bytes, write_file, **options):
    """Import `content` through the profile; assert nothing changed; return the outcome."""
    profile = ImportProfile.objects.get(name=profile_name)
    importer = StaffMemberFactory(agency=profile.agency, role=Role.IG_LEAD)
    before = InformationItem.objects.count(), ImportedItemKey.objects.count()
    suffix = {"csv": ".csv", "json": ".json", "xlsx": ".xlsx"}[profile.file_type]
    outcome = import_file(profile, write_file(content, f"bad{suffix}"), by=importer, write=True, **options)
    assert not outcome.written and outcome.rows_created == 0
    assert (InformationItem.objects.count(), ImportedItemKey.objects.count()) == before
    return outcome


def assert_problem(outcome, row: int, column: str, reason: str) -> None:
    matching = [p for p in outcome.problems if p.row == row and p.column == column and reason in p.reason]
    assert matching, f"expected row {row}, column {column!r}: {reason!r}; got {outcome.problems}"


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_file_that_cannot_be_read_exactly_is_refused_with_its_row_and_column_quickly(
    case, partnership, people, write_file
):
    content, profile_name, (row, column, reason), most_rows_read = CORPUS[case]
    outcome = refuse(profile_name, content, write_file)
    assert_problem(outcome, row, column, reason)
    assert outcome.rows_read <= most_rows_read


def test_rows_read_before_a_quoting_fault_are_not_imported_even_when_valid_rows_are_accepted(
    partnership, people, write_file
):
    content = raw_csv(contact_line("C1"), contact_line("C2"), contact_line("C3", notes='"Seen'))
    outcome = refuse("probation-contacts", content, write_file, accept_valid_rows=True)
    assert outcome.is_file_unreadable and outcome.rows_valid == 0 and outcome.rows_new == 0


def test_a_note_may_run_over_several_lines_and_keeps_its_line_breaks(people, probation_ig, write_file):
    content = raw_csv(
        contact_line("C1", notes='"Seen at home.\r\nDiscussed housing, ""urgent""."'), contact_line("C2")
    )
    profile = ImportProfile.objects.get(name="probation-contacts")
    outcome = import_file(profile, write_file(content), by=probation_ig, write=True)
    assert outcome.problem_count == 0 and outcome.rows_created == 2
    notes = {item.payload["answers"].get("notes") for item in InformationItem.objects.all()}
    assert 'Seen at home.\r\nDiscussed housing, "urgent".' in notes


def test_a_quote_inside_an_unquoted_value_is_read_as_written(people, probation_ig, write_file):
    content = raw_csv(contact_line("C1", notes="Height 5'10\" noted"))
    profile = ImportProfile.objects.get(name="probation-contacts")
    outcome = import_file(profile, write_file(content), by=probation_ig, write=True)
    assert outcome.problem_count == 0
    assert InformationItem.objects.get().payload["answers"]["notes"] == "Height 5'10\" noted"


def test_a_json_utf8_byte_order_mark_is_accepted(partnership, people, write_file):
    profile = ImportProfile.objects.get(name="health-interventions")
    importer = StaffMemberFactory(agency=profile.agency, role=Role.IG_LEAD)
    content = json.dumps([episode()]).encode("utf-8-sig")
    outcome = import_file(profile, write_file(content, "e.json"), by=importer, write=False)
    assert outcome.problem_count == 0 and outcome.rows_valid == 1


# -- Limits: lowered in settings so that small files try them ---------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings, partnership, people, write_file):
    settings.IOMSHARE_MAX_IMPORT_BYTES = 100
    outcome = refuse("probation-contacts", csv_bytes(good_contacts(3)), write_file)
    assert_problem(outcome, 0, "", "the most one import may read is 100 bytes")
    assert outcome.rows_read == 0


@pytest.mark.parametrize("profile_name", ["probation-contacts", "health-interventions", "council-housing"])
def test_a_file_over_the_row_limit_is_refused_at_the_first_row_past_it(
    settings, profile_name, partnership, people, write_file
):
    settings.IOMSHARE_IMPORT_MAX_ROWS = 5
    content = {
        "probation-contacts": csv_bytes(good_contacts(40)),
        "health-interventions": json.dumps([episode(f"E{n}") for n in range(40)]).encode(),
        "council-housing": workbook_bytes([tenancy(f"T{n}", person=n % 3) for n in range(40)]),
    }[profile_name]
    outcome = refuse(profile_name, content, write_file, accept_valid_rows=True)
    first_past = 7 if profile_name != "health-interventions" else 6  # JSON records count from 1
    assert_problem(outcome, first_past, "", "the file has more than 5 rows, the most one import may read")
    assert outcome.rows_read <= 5


def test_a_sheet_over_the_cell_limit_is_refused_as_it_streams(settings, partnership, people, write_file):
    settings.IOMSHARE_IMPORT_MAX_WORKBOOK_CELLS = 30
    content = workbook_bytes([tenancy(f"T{n}", person=n % 3) for n in range(20)])
    outcome = refuse("council-housing", content, write_file)
    assert_problem(outcome, 6, "", "the sheet has more than 30 cells")
    assert outcome.rows_read <= 4


def test_a_header_over_the_column_limit_is_refused_before_any_row(settings, partnership, people, write_file):
    settings.IOMSHARE_IMPORT_MAX_COLUMNS = 4
    outcome = refuse("probation-contacts", csv_bytes(good_contacts(3)), write_file)
    assert_problem(outcome, 1, "", "the header row has 6 columns; the most an import may read is 4")
    assert outcome.rows_read == 0


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened(
    settings, partnership, people, write_file
):
    settings.IOMSHARE_IMPORT_MAX_WORKBOOK_UNPACKED_BYTES = 4096
    outcome = refuse("council-housing", workbook_bytes([tenancy("T1")]), write_file)
    assert_problem(outcome, 0, "", "the most one import may unpack is 4 KB")
    assert outcome.rows_read == 0


def test_a_json_array_over_its_limit_is_refused_and_json_lines_suggested(
    settings, partnership, people, write_file
):
    settings.IOMSHARE_IMPORT_MAX_JSON_ARRAY_BYTES = 100
    outcome = refuse("health-interventions", json.dumps([episode()]).encode(), write_file)
    assert_problem(outcome, 0, "", "send larger extracts as JSON Lines")


def test_reading_past_the_time_limit_is_refused(settings, partnership, people, write_file):
    settings.IOMSHARE_IMPORT_MAX_SECONDS = 0
    outcome = refuse("probation-contacts", csv_bytes(good_contacts(3)), write_file)
    assert_problem(
        outcome, 2, "", "reading the file took longer than 0 seconds, the most one import may take"
    )
    assert outcome.rows_read == 0


def test_a_cell_past_the_readers_limit_is_refused_with_its_row(settings, partnership, people, write_file):
    settings.IOMSHARE_IMPORT_MAX_CELL_CHARACTERS = 1000
    rows = [*good_contacts(1), [*good_contacts(2)[1][:5], "x" * 2000]]
    outcome = refuse("probation-contacts", csv_bytes(rows), write_file)
    assert_problem(outcome, 3, "", "row 3 (line 3) has a value longer than 1,000 characters")


def test_a_workbook_whose_text_table_is_over_its_limit_is_refused_before_it_is_opened(
    settings, partnership, people, write_file
):
    settings.IOMSHARE_IMPORT_MAX_WORKBOOK_SHARED_TEXT_BYTES = 100
    content = with_extra_part(
        workbook_bytes([tenancy("T1")]), "xl/sharedStrings.xml", b"<sst>" + b" " * 200 + b"</sst>"
    )
    outcome = refuse("council-housing", content, write_file)
    assert_problem(outcome, 0, "", "the workbook's text table (xl/sharedStrings.xml) unpacks to 211 bytes")
    assert outcome.rows_read == 0
