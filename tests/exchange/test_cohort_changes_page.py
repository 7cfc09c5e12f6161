"""The cohort changes file in the web pages: upload, check (every problem, nothing written), import
(all or nothing), and the list of what changed; only partnership managers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from iomshare.partnership.models import Role
from iomshare.people.models import CohortChange, CohortReferral
from tests.exchange.test_cohort_changes_file import HEADER, REASON, journey, row
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db
URL = "/exchange/cohort-changes/"


@pytest.fixture
def manager(police):
    return StaffMemberFactory(username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER)


def as_csv(rows, name="panel.csv") -> SimpleUploadedFile:
    lines = [",".join(HEADER)] + [",".join(str(r.get(column, "")) for column in HEADER) for r in rows]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_check_then_import_lists_what_changed(client, manager, person, probation_officer, settings, tmp_path):
    settings.IOMSHARE_IMPORT_DIR = tmp_path
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    checked = client.post(URL, {"step": "check", "file": as_csv(journey(probation_officer)[:3])})
    page = checked.content.decode()
    assert checked.status_code == 200 and 'data-testid="check-passed"' in page
    assert "Referred for the cohort" in page and "Jordan Whitlock" in page
    assert not CohortChange.objects.exists(), "the check writes nothing"
    kept = checked.context["kept"]
    assert (tmp_path / "cohort-changes" / kept).is_file()
    imported = client.post(URL, {"step": "import", "kept": kept})
    page = imported.content.decode()
    assert "3 changes made" in page
    assert [c.change for c in imported.context["outcome"].changes] == [
        "Referred for the cohort",
        "Accepted onto the cohort",
        "Key worker assigned",
    ]
    assert CohortChange.objects.filter(person=person).count() == 3
    assert not (tmp_path / "cohort-changes" / kept).exists(), "the file is gone once imported"
    again = client.post(URL, {"step": "import", "kept": kept})
    assert again.status_code == 400 and "upload it again" in again.content.decode()


def test_a_file_with_problems_names_each_row_and_column_and_cannot_be_imported(
    client, manager, person, settings, tmp_path
):
    settings.IOMSHARE_IMPORT_DIR = tmp_path
    client.force_login(manager)
    rows = [
        row("r1", "refer", source="Release from custody", reason=REASON),
        row("r2", "promote"),
        row("r3", "review", date="31/02/2027"),
    ]
    checked = client.post(URL, {"step": "check", "file": as_csv(rows)})
    problems = checked.context["outcome"].problems
    assert {(p.row, p.column) for p in problems} == {(3, "change"), (4, "date")}
    assert checked.context["kept"] == "" and "Import the changes" not in checked.content.decode()
    assert not CohortReferral.objects.exists()
    assert not list((tmp_path / "cohort-changes").iterdir()), "a file with problems is not kept"


def test_no_file_or_the_wrong_kind_is_a_clear_error(client, manager, settings, tmp_path):
    settings.IOMSHARE_IMPORT_DIR = tmp_path
    client.force_login(manager)
    missing = client.post(URL, {"step": "check"})
    assert missing.status_code == 400 and "Choose the cohort changes file" in missing.content.decode()
    wrong = client.post(URL, {"step": "check", "file": SimpleUploadedFile("panel.pdf", b"%PDF")})
    assert wrong.status_code == 400 and "Choose a CSV or XLSX file" in wrong.content.decode()


def test_someone_elses_checked_file_cannot_be_imported(
    client, manager, person, probation_officer, police, settings, tmp_path
):
    settings.IOMSHARE_IMPORT_DIR = tmp_path
    client.force_login(manager)
    kept = client.post(URL, {"step": "check", "file": as_csv(journey(probation_officer)[:1])}).context["kept"]
    other = StaffMemberFactory(agency=police, role="partnership_manager")
    client.force_login(other)
    refused = client.post(URL, {"step": "import", "kept": kept})
    assert refused.status_code == 400 and not CohortReferral.objects.exists()


def test_only_partnership_managers_use_the_page(client, officer):
    client.force_login(officer)
    assert client.get(URL).status_code == 403


def test_a_file_over_the_upload_limit_is_refused_in_plain_words_and_not_kept(
    client, manager, person, probation_officer, settings, tmp_path
):
    settings.IOMSHARE_IMPORT_DIR = tmp_path
    settings.IOMSHARE_MAX_IMPORT_BYTES = 1024
    client.force_login(manager)
    rows = journey(probation_officer) * 20
    refused = client.post(URL, {"step": "check", "file": as_csv(rows)})
    page = refused.content.decode()
    assert refused.status_code == 400, refused.status_code
    assert "The file is larger than 1 KB, the most one upload may be" in page
    assert not any((tmp_path / "cohort-changes").iterdir()), "nothing of it is kept"
    assert not CohortChange.objects.exists()
