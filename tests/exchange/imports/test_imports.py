import csv
import gc
import io

import pytest
from django.utils import timezone

from iomshare.errors import NotPermitted
from iomshare.exchange.imports import import_file
from iomshare.exchange.models import ImportedItemKey, ImportProfile
from iomshare.partnership.models import Role
from iomshare.records.models import InformationItem
from tests.exchange.imports.conftest import (
    contact_row,
    csv_bytes,
    episodes_json,
    good_contacts,
    nhs_number,
)
from tests.factories import StaffMemberFactory


def test_a_valid_extract_is_imported_on_its_form_with_codes_translated(
    people, probation_ig, contacts_profile, write_file
):
    path = write_file(csv_bytes([contact_row("C1", outcome="UAAB", kind="TEL", notes="No reason given")]))
    outcome = import_file(contacts_profile, path, by=probation_ig, write=True)
    assert (outcome.rows_read, outcome.rows_valid, outcome.rows_created, outcome.problem_count) == (
        1,
        1,
        1,
        0,
    )
    item = InformationItem.objects.get()
    assert (
        item.person == people[0] and item.holding_agency.code == "probation" and item.author == probation_ig
    )
    assert item.category.code == "contact"
    assert item.payload == {
        "form": "contact_record",
        "version": 1,
        "answers": {
            "contact_date": timezone.localdate().isoformat(),
            "contact_type": "telephone",
            "outcome": "failed_to_attend_unacceptable",
            "notes": "No reason given",
        },
    }
    assert item.summary == "Telephone: Failed to attend – unacceptable absence"
    assert ImportedItemKey.objects.get().item_id == item.pk


def test_a_dry_run_counts_and_checks_every_row_and_writes_nothing(
    people, probation_ig, contacts_profile, write_file
):
    path = write_file(csv_bytes(good_contacts(3)))
    outcome = import_file(contacts_profile, path, by=probation_ig, write=False)
    assert (outcome.rows_read, outcome.rows_valid, outcome.rows_new, outcome.problem_count) == (3, 3, 3, 0)
    assert InformationItem.objects.count() == 0 and ImportedItemKey.objects.count() == 0


def test_importing_the_same_file_twice_creates_no_duplicates(
    people, probation_ig, contacts_profile, write_file
):
    path = write_file(csv_bytes(good_contacts(3)))
    import_file(contacts_profile, path, by=probation_ig, write=True)
    again = import_file(contacts_profile, path, by=probation_ig, write=True)
    assert (again.rows_valid, again.rows_already_imported, again.rows_created) == (3, 3, 0)
    assert InformationItem.objects.count() == 3


def test_a_later_extract_adds_only_its_new_rows(people, probation_ig, contacts_profile, write_file):
    import_file(contacts_profile, write_file(csv_bytes(good_contacts(2))), by=probation_ig, write=True)
    outcome = import_file(
        contacts_profile, write_file(csv_bytes(good_contacts(3)), "next.csv"), by=probation_ig, write=True
    )
    assert (outcome.rows_already_imported, outcome.rows_created) == (2, 1)
    assert InformationItem.objects.count() == 3


def test_one_bad_row_means_nothing_is_written_and_every_problem_is_listed(
    people, probation_ig, contacts_profile, write_file
):
    rows = [
        *good_contacts(2),
        contact_row("C3", day="31/02/2026"),
        contact_row("C4", outcome="WENTWELL"),
        contact_row("C5", crn="Z999999"),
    ]
    outcome = import_file(contacts_profile, write_file(csv_bytes(rows)), by=probation_ig, write=True)
    assert outcome.rows_created == 0 and not outcome.written
    assert InformationItem.objects.count() == 0 and ImportedItemKey.objects.count() == 0
    assert (outcome.rows_valid, outcome.rows_rejected) == (2, 3)
    problems = {(p.row, p.column, p.value): p.reason for p in outcome.problems}
    assert "not a real date: write it as day/month/year" in problems[(4, "CONTACT_DATE", "31/02/2026")]
    assert "'WENTWELL' is not a code of contact outcomes" in problems[(5, "OUTCOME", "WENTWELL")]
    assert "nobody in the partnership has the local identifier Z999999" in problems[(6, "CRN", "Z999999")]


def test_the_valid_rows_can_be_imported_and_the_rejects_taken_as_a_file(
    people, probation_ig, contacts_profile, write_file
):
    rows = [
        *good_contacts(2),
        contact_row("C3", outcome='=HYPERLINK("http://x")'),
        contact_row("C4", kind="??"),
    ]
    rejects = io.StringIO()
    outcome = import_file(
        contacts_profile,
        write_file(csv_bytes(rows)),
        by=probation_ig,
        write=True,
        accept_valid_rows=True,
        rejects=rejects,
    )
    assert outcome.rows_created == 2 and InformationItem.objects.count() == 2
    rejected = list(csv.reader(io.StringIO(rejects.getvalue())))
    assert rejected[0] == [
        "CONTACT_ID",
        "CRN",
        "CONTACT_DATE",
        "CONTACT_TYPE",
        "OUTCOME",
        "NOTES",
        "row",
        "problems",
    ]
    assert [row[0] for row in rejected[1:]] == ["C3", "C4"]
    assert rejected[1][4] == '\'=HYPERLINK("http://x")', "a rejected formula stays inert in the rejects file"
    assert rejected[1][6] == "4" and "OUTCOME: the value starts with '='" in rejected[1][7]
    assert "CONTACT_TYPE: '??' is not a code of contact types" in rejected[2][7]


def test_two_rows_with_one_key_are_refused(people, probation_ig, contacts_profile, write_file):
    rows = [contact_row("C1"), contact_row("C1", outcome="RSCH")]
    outcome = import_file(contacts_profile, write_file(csv_bytes(rows)), by=probation_ig, write=True)
    assert [(p.row, p.column, p.reason) for p in outcome.problems] == [
        (3, "CONTACT_ID", "row 2 has the same key: each row needs a key of its own")
    ]
    assert InformationItem.objects.count() == 0


def test_a_json_extract_is_imported(people, probation_ig, partnership, write_file):
    health_ig = StaffMemberFactory(agency=partnership["health"], role=Role.IG_LEAD)
    profile = ImportProfile.objects.get(name="health-interventions")
    records = [
        {
            "episode_id": "E1",
            "nhs_number": nhs_number("94347650"),
            "treatment": "OST",
            "pathway": "drugs_and_alcohol",
            "provider": "Northshire Recovery",
            "started": "2026-01-10",
            "ended": None,
            "sessions": 6,
        }
    ]
    outcome = import_file(
        profile, write_file(episodes_json(records), "episodes.json"), by=health_ig, write=True
    )
    assert outcome.problem_count == 0, outcome.problems
    item = InformationItem.objects.get()
    assert item.payload["answers"] == {
        "intervention_type": "drug_treatment",
        "pathway": "drugs_and_alcohol",
        "provider": "Northshire Recovery",
        "start_date": "2026-01-10",
        "sessions_attended": 6,
    }
    assert str(item.valid_from) == "2026-01-10"


def test_an_excel_extract_is_imported_dates_and_all(people, partnership, write_file, tmp_path):
    today = timezone.localdate()
    from openpyxl import Workbook

    council_ig = StaffMemberFactory(agency=partnership["council"], role=Role.IG_LEAD)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tenancy ref", "Housing ID", "Summary", "Notes", "Start date", "End date"])
    sheet.append(["T1", "HOU-0000001", "Tenancy at Elm Court", "Supported flat", today, None])
    sheet.append(["T2", "HOU-0000002", "Temporary accommodation", "", today, None])
    path = tmp_path / "tenancies.xlsx"
    workbook.save(path)
    profile = ImportProfile.objects.get(name="council-housing")
    outcome = import_file(profile, path, by=council_ig, write=True)
    assert outcome.problem_count == 0, outcome.problems
    items = {item.summary: item for item in InformationItem.objects.all()}
    assert items["Tenancy at Elm Court"].person == people[1]
    assert items["Tenancy at Elm Court"].details == "Supported flat"
    assert items["Tenancy at Elm Court"].valid_from == today
    assert items["Temporary accommodation"].category.code == "accommodation"


def test_only_the_profiles_own_agency_imports_through_it(people, partnership, contacts_profile, write_file):
    police_ig = StaffMemberFactory(agency=partnership["police"], role=Role.IG_LEAD)
    with pytest.raises(NotPermitted):
        import_file(contacts_profile, write_file(csv_bytes(good_contacts(1))), by=police_ig, write=True)


def test_a_practitioner_cannot_import(people, partnership, contacts_profile, probation_officer, write_file):
    with pytest.raises(NotPermitted):
        import_file(
            contacts_profile, write_file(csv_bytes(good_contacts(1))), by=probation_officer, write=False
        )


def test_imported_items_are_on_the_ledger(people, probation_ig, contacts_profile, write_file):
    from iomshare.ledger.models import LedgerEntry

    import_file(contacts_profile, write_file(csv_bytes(good_contacts(3))), by=probation_ig, write=True)
    entry = LedgerEntry.objects.get(action="item_recorded")
    assert sorted(entry.item_ids) == sorted(
        str(i) for i in InformationItem.objects.values_list("id", flat=True)
    )
    assert entry.details == {"bulk": True, "count": 3}


def test_the_cyclic_collector_is_paused_during_an_import_and_restored_after(
    people, probation_ig, contacts_profile, write_file
):
    seen: list[bool] = []
    path = write_file(csv_bytes(good_contacts(3)))
    import_file(
        contacts_profile, path, by=probation_ig, write=True, progress=lambda *_: seen.append(gc.isenabled())
    )
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        import_file(contacts_profile, path, by=probation_ig, write=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_that_fails_still_restores_the_cyclic_collector(
    people, probation_ig, contacts_profile, write_file, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("iomshare.exchange.imports.BulkRecorder.record", broken)
    with pytest.raises(RuntimeError):
        import_file(contacts_profile, write_file(csv_bytes(good_contacts(2))), by=probation_ig, write=True)
    assert gc.isenabled() and InformationItem.objects.count() == 0
