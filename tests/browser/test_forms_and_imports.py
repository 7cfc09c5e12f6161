"""One language in the browser: reading a coded value's meaning, filling a standard form, importing an
extract (check, then the valid rows, then the rejects), exporting a picture, and the conflicts page."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from iomshare.demo.import_profiles import load_demo_import_profiles
from iomshare.demo.local_terms import load_demo_local_terms
from iomshare.partnership.models import Role
from iomshare.people.models import Tier
from tests.browser.conftest import assert_accessible, reseed_reference_data, screenshot, sign_in
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyIdentifierFactory,
    CohortMembershipFactory,
    PersonFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership(db, settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = str(tmp_path / "keys" / "ledger_signing_key.pem")
    settings.LEDGER_TRUSTED_KEYS_DIR = str(tmp_path / "keys" / "trusted")
    settings.IOMSHARE_IMPORTS_IN_BACKGROUND = False
    settings.IOMSHARE_IMPORT_DIR = tmp_path / "imports"
    reseed_reference_data()  # transactional tests flush what migrations seeded
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    probation = AgencyFactory(code="probation", name="Probation Service – Northshire", kind="probation")
    council = AgencyFactory(code="council", name="Northshire Council Housing Options", kind="council")
    AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)
    load_demo_local_terms()
    load_demo_import_profiles()
    StaffMemberFactory(username="probation.officer", agency=probation, first_name="Paul", last_name="Okafor")
    StaffMemberFactory(
        username="probation.ig", agency=probation, role=Role.IG_LEAD, first_name="Isla", last_name="Reid"
    )
    StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Ida", last_name="Grant"
    )
    jordan = PersonFactory(given_name="Jordan", family_name="Whitlock")
    CohortMembershipFactory(person=jordan, lead_agency=probation, tier=Tier.FIXED)
    AgencyIdentifierFactory(person=jordan, agency=probation, scheme="local", value="X100001")
    return {"police": police, "probation": probation, "council": council, "jordan": jordan}


def test_a_practitioner_fills_a_contact_record_and_reads_what_each_coded_answer_means(page, partnership):
    today = timezone.localdate()
    jordan = partnership["jordan"]
    sign_in(page, "probation.officer", TEST_PASSWORD)
    page.goto(f"/forms/people/{jordan.id}/contact_record/")
    page.locator("#contact_date-day").fill(str(today.day))
    page.locator("#contact_date-month").fill(str(today.month))
    page.locator("#contact_date-year").fill(str(today.year))
    page.get_by_label("Home visit", exact=True).check()
    page.get_by_label("Notes (optional)").fill("Seen at home; engaged well.")
    page.get_by_role("button", name="Continue").click()

    # The outcome was left out: an error summary names it and links to it, nothing is recorded.
    summary = page.locator(".govuk-error-summary")
    assert "Select the outcome of the contact" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert page.get_by_label("Home visit", exact=True).is_checked()  # what was typed is kept
    assert_accessible(page)
    screenshot(page, "forms-01-contact-record-error")

    page.get_by_label("Attended – complied").check()
    page.get_by_role("button", name="Continue").click()
    answers = page.get_by_test_id("form-answers")
    assert "Home visit" in answers.inner_text()

    # Each coded answer's definition is one click away, and its concept page one more.
    term = answers.get_by_test_id("term").filter(has_text="Home visit")
    definition = term.locator(".govuk-details__text")
    expect(definition).not_to_be_visible()
    term.locator("summary").click()
    assert "A visit to the person's home address." in definition.inner_text()
    assert_accessible(page)
    screenshot(page, "forms-02-check-answers-with-definition")

    term.get_by_role("link", name="What ‘Home visit’ means").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Home visit"
    expect(page.locator("body")).to_contain_text("Probation")  # which agencies' codes mean it
    assert_accessible(page)
    screenshot(page, "forms-03-concept-page")
    page.go_back()

    page.get_by_role("button", name="Record the contact record").click()
    assert page.url.endswith(f"/cohort/people/{jordan.id}/")
    expect(page.locator("body")).to_contain_text(
        "The contact record has been recorded: Home visit: Attended – complied"
    )


def _extract(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["CONTACT_ID", "CRN", "CONTACT_DATE", "CONTACT_TYPE", "OUTCOME", "NOTES"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_an_agency_checks_an_extract_imports_the_valid_rows_and_downloads_the_rejects(
    page, partnership, tmp_path
):
    day = timezone.localdate().strftime("%d/%m/%Y")
    extract = tmp_path / "contacts.csv"
    extract.write_bytes(
        _extract(
            [
                ["CT1", "X100001", day, "HV", "ATTC", "Seen at home"],
                ["CT2", "X100001", "31/02/2026", "OFF", "ATTC", ""],
                ["CT3", "X999999", day, "TEL", "ATTC", ""],
                ["CT4", "X100001", day, "TEL", "ZZZ", '=HYPERLINK("http://evil.example")'],
                ["CT5", "X100001", day, "OFF", "AFTC", "Office; late"],
            ]
        )
    )
    sign_in(page, "probation.ig", TEST_PASSWORD)
    page.get_by_role("link", name="Governance").click()
    page.get_by_role("link", name="Imports and exports").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import an extract"

    page.get_by_role("button", name="Check the file").click()  # nothing chosen: an error, not a crash
    assert "Select the kind of extract" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.get_by_label("Probation case system: contacts (CSV)").check()
    page.locator("#file").set_input_files(str(extract))
    page.get_by_role("button", name="Check the file").click()

    status = page.get_by_test_id("run-status")
    assert "The check found 4 problems in 3 rows" in status.inner_text()
    problems = [
        [cell.inner_text() for cell in row.locator("td").all()]
        for row in page.get_by_test_id("problems").locator("tbody tr").all()
    ]
    assert [problem[:2] for problem in problems] == [
        ["3", "CONTACT_DATE"],
        ["4", "CRN"],
        ["5", "OUTCOME"],
        ["5", "NOTES"],
    ]
    assert "not a real date" in problems[0][3] and "X999999" in problems[1][3]
    assert "'ZZZ' is not a code of contact outcomes" in problems[2][3]
    assert "a spreadsheet would run it as a formula" in problems[3][3]
    counts = page.get_by_test_id("run-counts").inner_text()
    assert "Valid rows\t2" in counts or "Valid rows\n2" in counts
    assert_accessible(page)
    screenshot(page, "imports-01-check-found-problems")

    page.get_by_role("button", name="Import the 2 valid rows only").click()
    assert "2 items imported" in page.get_by_test_id("run-status").inner_text()
    assert_accessible(page)
    screenshot(page, "imports-02-valid-rows-imported")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 3 rejected rows and their problems (CSV)").click()
    rejected = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rejected[0][-2:] == ["row", "problems"]
    assert [row[0] for row in rejected[1:]] == ["CT2", "CT3", "CT4"]
    # The formula payload comes back defused, so the rejects file is safe to open in a spreadsheet.
    assert rejected[3][5].startswith("'=")


def test_an_extract_with_a_stray_quote_is_refused_whole_with_its_row_and_column(page, partnership, tmp_path):
    day = timezone.localdate().strftime("%d/%m/%Y")
    extract = tmp_path / "contacts.csv"
    header = "CONTACT_ID,CRN,CONTACT_DATE,CONTACT_TYPE,OUTCOME,NOTES"
    rows = [
        f"CT1,X100001,{day},HV,ATTC,Seen",
        f'CT2,X100001,"{day},HV,ATTC,Seen',
        f"CT3,X100001,{day},HV,ATTC,Seen",
    ]
    extract.write_bytes("\r\n".join([header, *rows]).encode())
    sign_in(page, "probation.ig", TEST_PASSWORD)
    page.goto("/exchange/imports/")
    page.get_by_label("Probation case system: contacts (CSV)").check()
    page.locator("#file").set_input_files(str(extract))
    page.get_by_role("button", name="Check the file").click()

    status = page.get_by_test_id("run-status")
    assert "The check found 1 problem" in status.inner_text()
    problem = [cell.inner_text() for cell in page.get_by_test_id("problems").locator("tbody td").all()]
    assert problem[:2] == ["3", "CONTACT_DATE"] and "never closes" in problem[3]
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "imports-03-stray-quote-refused")


def test_a_practitioner_exports_a_persons_picture_as_json_and_csv(page, partnership):
    jordan = partnership["jordan"]
    sign_in(page, "probation.officer", TEST_PASSWORD)
    page.goto(f"/exchange/people/{jordan.id}/export/")
    page.get_by_role("button", name="Download the picture").click()
    assert "Select the format of the download" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "exports-01-person-export-error")

    page.get_by_label("JSON").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the picture").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["format"] == "iomshare-person-picture"
    assert document["person"]["family_name"] == "Whitlock"

    page.get_by_label("CSV").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the picture").click()
    header = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("person_id,given_name,family_name")
    screenshot(page, "exports-02-person-export")


def test_an_ig_lead_sees_where_agencies_use_one_word_for_two_meanings(page, partnership):
    sign_in(page, "police.ig", TEST_PASSWORD)
    page.get_by_role("link", name="Vocabulary", exact=True).click()
    page.goto("/vocabulary/conflicts/")
    content = page.locator("main").inner_text()
    assert "Codes mapped to more than one concept (1)" in content  # the charity's "DNA"
    assert "DA in warning markers" in content
    assert "Domestic abuse: perpetrator" in content and "Domestic abuse: victim" in content
    assert_accessible(page)
    screenshot(page, "vocabulary-01-conflicts")


def test_a_practitioner_cannot_open_the_conflicts_page_or_imports(page, partnership):
    sign_in(page, "probation.officer", TEST_PASSWORD)
    expect(page.get_by_role("link", name="Imports and exports")).to_have_count(0)
    assert page.goto("/vocabulary/conflicts/").status == 403
    assert page.goto("/exchange/imports/").status == 403
