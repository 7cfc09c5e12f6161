"""A file of cohort changes: applied through the same services as the pages, all or nothing, by key."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from iomshare.exchange.cohort_changes import apply_file
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.people.models import (
    CohortChange,
    CohortChangeKind,
    CohortMembership,
    CohortReferral,
    ExitReason,
)
from tests.factories import AgencyIdentifierFactory, PersonFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
REASON = "Three burglaries in six months and released last week with no address."
HEADER = [
    "key",
    "person_scheme",
    "person",
    "change",
    "tier",
    "lead_agency",
    "key_worker",
    "reason",
    "source",
    "date",
]


@pytest.fixture
def manager(police):
    return StaffMemberFactory(username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER)


@pytest.fixture
def stranger(probation):
    """Known to probation alone: the police's panel member may not know him."""
    person = PersonFactory(given_name="Alex", family_name="Unseen")
    AgencyIdentifierFactory(person=person, agency=probation, value="PROBATION-UNSEEN")
    return person


def write(tmp_path, rows, header=HEADER, name="changes.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def row(key, change, **cells):
    return {"key": key, "person_scheme": "local", "person": "POLICE-WHITLOCK", "change": change, **cells}


def journey(probation_officer):
    """Refer, accept, assign a key worker, change tier, then leave: one person's year in one file."""
    today = timezone.localdate()
    return [
        row("r1", "refer", source="Release from custody", reason=REASON),
        row(
            "r2",
            "accept",
            tier="Fixed",
            lead_agency="probation",
            date=(today - dt.timedelta(days=3)).isoformat(),
        ),
        row("r3", "key_worker", key_worker=probation_officer.username),
        row("r4", "tier", tier="flex", reason="Engaging well with the programme since release."),
        row("r5", "leave", reason="moved_area", date=today.strftime("%d/%m/%Y")),
    ]


def test_a_file_applies_each_change_through_the_services_with_history_and_ledger(
    tmp_path, manager, person, probation_officer
):
    outcome = apply_file(write(tmp_path, journey(probation_officer)), by=manager)
    assert outcome.problems == [] and outcome.applied == 5
    kinds = list(CohortChange.objects.filter(person=person).order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        CohortChangeKind.REFERRED,
        CohortChangeKind.ACCEPTED,
        CohortChangeKind.KEY_WORKER_ASSIGNED,
        CohortChangeKind.TIER_CHANGED,
        CohortChangeKind.LEFT,
    ]
    membership = CohortMembership.objects.get(person=person)
    assert membership.tier == "flex" and membership.exit_reason == ExitReason.MOVED_AREA
    assert membership.ended_on == timezone.localdate(), "retention's cohort-exit rules count from this date"
    assert list(membership.key_workers.all()) == [probation_officer]
    assert LedgerEntry.objects.filter(action=Action.COHORT_CHANGED, person_id=person.pk).count() == 5


def test_a_file_sent_again_applies_only_its_new_rows(tmp_path, manager, person, probation_officer):
    rows = journey(probation_officer)
    assert apply_file(write(tmp_path, rows[:2]), by=manager).applied == 2
    again = apply_file(write(tmp_path, rows[:3]), by=manager)
    assert (again.applied, again.skipped, again.problems) == (1, 2, [])
    assert CohortChange.objects.filter(person=person).count() == 3


def test_one_bad_row_names_its_row_and_column_and_nothing_in_the_file_is_applied(
    tmp_path, manager, person, probation_officer
):
    rows = journey(probation_officer)
    rows[1]["tier"] = "Gold"
    rows[3]["date"] = ""
    rows[4]["date"] = "31/02/2026"
    before = LedgerEntry.objects.count()
    outcome = apply_file(write(tmp_path, rows), by=manager)
    found = {(p.row, p.column) for p in outcome.problems}
    assert (3, "tier") in found and (6, "date") in found
    tier = next(p for p in outcome.problems if p.column == "tier")
    assert tier.value == "Gold" and "fixed, flex, free" in tier.reason
    assert outcome.applied == 0
    assert not CohortReferral.objects.exists() and not CohortChange.objects.exists()
    assert LedgerEntry.objects.count() == before, "the rows that went through were rolled back too"
    assert not CohortMembership.objects.exists()


def test_a_check_applies_nothing_but_says_what_would_be_applied(tmp_path, manager, person, probation_officer):
    outcome = apply_file(write(tmp_path, journey(probation_officer)), by=manager, check_only=True)
    assert outcome.applied == 5 and outcome.problems == []
    assert not CohortChange.objects.exists()
    assert apply_file(write(tmp_path, journey(probation_officer)), by=manager).applied == 5, (
        "keys not kept by a check"
    )


def test_a_person_the_importer_may_not_know_is_answered_as_no_such_person(tmp_path, manager, stranger):
    rows = [row("r1", "refer", person="PROBATION-UNSEEN", source="release", reason=REASON)]
    outcome = apply_file(write(tmp_path, rows), by=manager)
    [problem] = outcome.problems
    assert (problem.row, problem.column) == (2, "person")
    assert "no person you may see" in problem.reason and "Unseen" not in problem.reason


def test_only_the_selection_panel_accepts_and_the_refusal_says_so(tmp_path, officer, person):
    rows = [
        row("r1", "refer", source="release", reason=REASON),
        row("r2", "accept", tier="fixed", lead_agency="police"),
    ]
    outcome = apply_file(write(tmp_path, rows), by=officer)
    [problem] = outcome.problems
    assert (problem.row, problem.column) == (3, "change") and "selection panel" in problem.reason
    assert not CohortReferral.objects.exists()


def test_a_file_without_the_columns_it_needs_or_with_unknown_ones_is_refused_whole(tmp_path, manager, person):
    missing = apply_file(write(tmp_path, [], header=["key", "person", "change"]), by=manager)
    assert missing.problems[0].column == "person_scheme" and "add it" in missing.problems[0].reason
    unknown = apply_file(write(tmp_path, [], header=[*HEADER, "colour"]), by=manager)
    assert unknown.problems[0].column == "colour"


def test_a_key_used_twice_in_one_file_is_a_problem(tmp_path, manager, person, probation_officer):
    rows = journey(probation_officer)[:2]
    rows[1]["key"] = "r1"
    outcome = apply_file(write(tmp_path, rows), by=manager)
    assert [(p.row, p.column, p.reason) for p in outcome.problems] == [(3, "key", "row 2 has the same key")]


def test_the_command_prints_each_problem_and_fails(tmp_path, manager, person, capsys):
    rows = [row("r1", "refer", source="gossip", reason=REASON)]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("cohort-import", str(write(tmp_path, rows)), "--as", "manager")
    assert "row 2, column source ('gossip')" in capsys.readouterr().err
    good = [row("r1", "refer", source="release", reason=REASON)]
    call_command("cohort-import", str(write(tmp_path, good)), "--as", "manager")
    assert "1 change(s) applied" in capsys.readouterr().out
    assert CohortReferral.objects.filter(person=person).count() == 1
