import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from iomshare.exchange.models import ImportRun
from iomshare.records.models import InformationItem
from tests.exchange.imports.conftest import contact_row, csv_bytes, good_contacts


def upload(client, content, profile="probation-contacts", name="contacts.csv"):
    return client.post(
        reverse("exchange:imports"),
        {"profile": profile, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_uploading_checks_the_file_and_shows_the_counts_before_anything_is_imported(
    client, people, probation_ig
):
    client.force_login(probation_ig)
    response = upload(client, csv_bytes(good_contacts(3)))
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("exchange:import-run", args=[run.pk])
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="check-passed"' in html and "Import 3 items" in html
    assert InformationItem.objects.count() == 0


def test_importing_a_checked_file_creates_its_items(client, people, probation_ig):
    client.force_login(probation_ig)
    upload(client, csv_bytes(good_contacts(3)))
    run = ImportRun.objects.get()
    client.post(reverse("exchange:import-commit", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "imported" and run.rows_created == 3
    html = client.get(reverse("exchange:import-run", args=[run.pk])).content.decode()
    assert "3 items imported" in html
    assert InformationItem.objects.count() == 3


def test_a_file_with_problems_shows_each_and_cannot_be_imported_whole(client, people, probation_ig):
    client.force_login(probation_ig)
    upload(client, csv_bytes([*good_contacts(2), contact_row("C9", outcome="NOPE")]))
    run = ImportRun.objects.get()
    html = client.get(reverse("exchange:import-run", args=[run.pk])).content.decode()
    problems = html.split('data-testid="problems"')[1]
    assert (
        '<td class="govuk-table__cell">4</td>' in problems
        and "OUTCOME" in problems
        and "<code>NOPE</code>" in problems
    )
    assert "Import the 2 valid rows only" in html
    client.post(reverse("exchange:import-commit", args=[run.pk]))
    assert InformationItem.objects.count() == 0


def test_the_valid_rows_can_be_imported_and_the_rejects_downloaded(client, people, probation_ig):
    client.force_login(probation_ig)
    upload(client, csv_bytes([*good_contacts(2), contact_row("C9", notes="=1+1")]))
    run = ImportRun.objects.get()
    client.post(reverse("exchange:import-commit", args=[run.pk]), {"accept_valid_rows": "yes"})
    assert InformationItem.objects.count() == 2
    download = client.get(reverse("exchange:import-rejects", args=[run.pk]))
    body = b"".join(download.streaming_content).decode()
    assert download["Content-Disposition"].startswith("attachment")
    assert "C9" in body and "'=1+1" in body


def test_a_run_is_imported_once_however_often_the_button_is_pressed(client, people, probation_ig):
    client.force_login(probation_ig)
    upload(client, csv_bytes(good_contacts(2)))
    run = ImportRun.objects.get()
    client.post(reverse("exchange:import-commit", args=[run.pk]))
    response = client.post(reverse("exchange:import-commit", args=[run.pk]), follow=True)
    assert "not already imported" in response.content.decode()
    assert InformationItem.objects.count() == 2


def test_a_running_check_polls_its_status_and_a_finished_one_stops(client, people, probation_ig):
    client.force_login(probation_ig)
    upload(client, csv_bytes(good_contacts(1)))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status="checking", progress=0.4)
    html = client.get(reverse("exchange:import-run", args=[run.pk])).content.decode()
    assert f'hx-get="{reverse("exchange:import-run-status", args=[run.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html and '<script src="/assets/vendor/htmx.min.js"' in html
    assert '<progress id="run-progress" class="govuk-!-width-full" max="100" value="40">' in html
    ImportRun.objects.filter(pk=run.pk).update(status="checked")
    fragment = client.get(reverse("exchange:import-run-status", args=[run.pk])).content.decode()
    assert "hx-trigger" not in fragment and "<html" not in fragment


def test_an_upload_without_a_profile_or_file_says_what_is_missing(client, people, probation_ig):
    client.force_login(probation_ig)
    response = client.post(reverse("exchange:imports"), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Select the kind of extract" in html and "Choose the extract file to upload" in html


def test_an_empty_file_is_refused(client, people, probation_ig):
    client.force_login(probation_ig)
    response = upload(client, b"")
    assert response.status_code == 400 and "The selected file is empty" in response.content.decode()


def test_another_agency_cannot_see_a_run(client, people, probation_ig, partnership):
    from iomshare.partnership.models import Role
    from tests.factories import StaffMemberFactory

    client.force_login(probation_ig)
    upload(client, csv_bytes(good_contacts(1)))
    run = ImportRun.objects.get()
    client.force_login(StaffMemberFactory(agency=partnership["council"], role=Role.IG_LEAD))
    assert client.get(reverse("exchange:import-run", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("page", ["exchange:imports"])
def test_practitioners_cannot_import(client, people, probation_officer, page):
    client.force_login(probation_officer)
    assert client.get(reverse(page)).status_code == 403
