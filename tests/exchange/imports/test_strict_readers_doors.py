"""A file the readers refuse shows its refusal, row and column where it comes in: the upload page and
`POST /api/v1/imports`; nothing is imported, even when the valid rows are accepted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from iomshare.exchange.models import ImportRun
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.records.models import InformationItem
from tests.exchange.imports.test_strict_readers import contact_line, raw_csv, tenancy, workbook_bytes
from tests.factories import StaffMemberFactory

STRAY_QUOTE = raw_csv(contact_line("C1"), 'C2,X100001,"07/12/2026,HV,ATTC,Seen', contact_line("C3"))
FAR_CELL = workbook_bytes([tenancy("T1")], far=(1_048_576, 16_384, "x"))


def upload(client, content: bytes, profile: str, name: str):
    return client.post(
        reverse("exchange:imports"),
        {"profile": profile, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_the_upload_page_shows_a_stray_quote_with_its_row_and_column_and_offers_no_import(
    client, people, probation_ig
):
    client.force_login(probation_ig)
    html = upload(client, STRAY_QUOTE, "probation-contacts", "contacts.csv").content.decode()
    problems = html.split('data-testid="problems"')[1]
    assert '<td class="govuk-table__cell">3</td>' in problems and "CONTACT_DATE" in problems
    assert "never closes" in problems
    assert "The check found 1 problem in 1 row</h2>" in html and "or import the valid rows" not in html
    assert "Import the" not in html and "Import 1 item" not in html
    run = ImportRun.objects.get()
    assert (run.rows_valid, run.problem_count) == (0, 1)
    client.post(reverse("exchange:import-commit", args=[run.pk]), {"accept_valid_rows": "yes"})
    assert InformationItem.objects.count() == 0


def test_the_upload_page_shows_a_far_cell_with_the_limit_it_breaks(client, people, partnership):
    council_ig = StaffMemberFactory(agency=partnership["council"], role=Role.IG_LEAD)
    client.force_login(council_ig)
    html = upload(client, FAR_CELL, "council-housing", "tenancies.xlsx").content.decode()
    assert "cell XFD1048576 is in column 16,384; the most columns one import may read is 500" in html
    assert InformationItem.objects.count() == 0


@pytest.mark.parametrize("accept_valid_rows", ["false", "true"])
def test_the_api_answers_a_stray_quote_with_its_row_and_column_and_imports_nothing(
    client, people, probation_ig, accept_valid_rows
):
    _token, secret = issue_token(for_staff=probation_ig, name="probation case system", by=None)
    response = client.post(
        f"/api/v1/imports?profile=probation-contacts&dry_run=false&accept_valid_rows={accept_valid_rows}",
        {"file": SimpleUploadedFile("contacts.csv", STRAY_QUOTE)},
        headers={"Authorization": f"Bearer {secret}"},
    )
    body = response.json()
    assert response.status_code == 202 and body["status"] == "checked"
    assert (body["rows_valid"], body["rows_created"], body["problem_count"]) == (0, 0, 1)
    problem = body["problems"][0]
    assert (problem["row"], problem["column"]) == (3, "CONTACT_DATE") and "never closes" in problem["reason"]
    assert InformationItem.objects.count() == 0


def test_an_upload_over_the_size_limit_is_refused_with_the_limit_in_plain_words(
    client, settings, people, probation_ig
):
    settings.IOMSHARE_MAX_IMPORT_BYTES = 1024
    client.force_login(probation_ig)
    html = upload(client, STRAY_QUOTE * 10, "probation-contacts", "contacts.csv").content.decode()
    assert (
        "govuk-error-summary" in html and "The file is larger than 1 KB, the most one upload may be" in html
    )
    assert ImportRun.objects.count() == 0
    _token, secret = issue_token(for_staff=probation_ig, name="probation case system", by=None)
    response = client.post(
        "/api/v1/imports?profile=probation-contacts",
        {"file": SimpleUploadedFile("contacts.csv", STRAY_QUOTE * 10)},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "larger than 1 KB" in response.json()["detail"]
