"""A file of cohort changes: the selection panel's decisions kept in a spreadsheet, applied as the pages
and the API apply them (`people.services`), so each is history, on the ledger and an event.

One row is one change to one person. The whole file is applied in one transaction: every row is tried
(each in its own savepoint, so one row's problem does not hide the next one's), and if any row has a
problem, or this is a check, everything is rolled back. A row's key is remembered once applied, so a
file sent again, or with rows added at the end, applies only what is new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Choices

from iomshare.errors import DomainError, InvalidInput, NotPermitted
from iomshare.exchange.mapping import Problem, shown
from iomshare.exchange.models import FileType, ImportedCohortChange
from iomshare.exchange.readers import FileUnreadable, RowUnreadable, open_extract
from iomshare.partnership.models import StaffMember
from iomshare.people import services
from iomshare.people.models import (
    NORMALISERS,
    AgencyIdentifier,
    CohortMembership,
    CohortReferral,
    ExitReason,
    IdentifierScheme,
    Person,
    ReferralSource,
    ReferralStatus,
    Tier,
)
from iomshare.people.visibility import may_know

REQUIRED = ("key", "person_scheme", "person", "change")
OPTIONAL = ("tier", "lead_agency", "key_worker", "reason", "source", "date", "note")
CHANGES = ("refer", "accept", "decline", "tier", "key_worker", "remove_key_worker", "review", "leave")
# Each change in words, for the page that lists what a file changed.
CHANGE_WORDS = {
    "refer": "Referred for the cohort",
    "accept": "Accepted onto the cohort",
    "decline": "Referral declined",
    "tier": "Tier changed",
    "key_worker": "Key worker assigned",
    "remove_key_worker": "Key worker removed",
    "review": "Review date set",
    "leave": "Left the cohort",
}
# A service's field, as the column of the file that holds it.
COLUMN_OF = {"started_on": "date", "review_on": "date", "ended_on": "date"}


@dataclass(frozen=True)
class AppliedChange:
    """One row's change, as the result page lists it (only people the importer may know reach here)."""

    row: int
    key: str
    change: str  # in words (CHANGE_WORDS)
    person_name: str


@dataclass
class CohortFileOutcome:
    applied: int = 0
    skipped: int = 0  # rows whose key was applied before
    problems: list[Problem] = field(default_factory=list)
    checked_only: bool = False
    changes: list[AppliedChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class RowRefused(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def file_type_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in (FileType.CSV, FileType.XLSX):
        raise InvalidInput(
            f"A cohort changes file is CSV or XLSX; {path.name} is neither.",
            field_errors={"file": "Choose a CSV or XLSX file"},
        )
    return suffix


def apply_file(path: Path, *, by: StaffMember, check_only: bool = False) -> CohortFileOutcome:
    """Apply every row of the file at `path` as `by`, or none of them (see the module's docstring)."""
    outcome = CohortFileOutcome(checked_only=check_only)
    try:
        extract = open_extract(path, file_type_of(path), REQUIRED + OPTIONAL)
    except FileUnreadable as error:
        outcome.problems.append(Problem(error.row, error.column, "", error.reason))
        return outcome
    header = [name.strip().lower() for name in extract.header]
    if missing := [name for name in REQUIRED if name not in header]:
        outcome.problems.append(
            Problem(1, missing[0], "", f"the header row has no {', '.join(missing)} column: add it")
        )
    if unknown := [name for name in header if name not in REQUIRED + OPTIONAL]:
        outcome.problems.append(
            Problem(
                1,
                unknown[0],
                "",
                f"a cohort changes file has no {unknown[0]} column; it may have "
                f"{', '.join(REQUIRED + OPTIONAL)}",
            )
        )
    if outcome.problems:
        return outcome
    with transaction.atomic():
        try:
            _apply_rows(extract.rows, header, by=by, outcome=outcome)
        except FileUnreadable as error:
            outcome.problems.append(Problem(error.row, error.column, "", error.reason))
        if outcome.problems or check_only:
            transaction.set_rollback(True)
            if outcome.problems:
                outcome.applied = 0
                outcome.changes = []
    return outcome


def _apply_rows(rows, header: list[str], *, by: StaffMember, outcome: CohortFileOutcome) -> None:
    done = set(ImportedCohortChange.objects.values_list("key", flat=True))
    seen: dict[str, int] = {}
    for number, cells in rows:
        if isinstance(cells, RowUnreadable):
            outcome.problems.append(Problem(number, "", "", cells.reason))
            continue
        row = {
            name: (cells[i].strip() if i < len(cells) and cells[i] else "") for i, name in enumerate(header)
        }
        key = row["key"]
        if not key:
            outcome.problems.append(Problem(number, "key", "", "every row needs a key of its own: enter one"))
            continue
        if len(key) > 100:
            outcome.problems.append(Problem(number, "key", shown(key), "a key is at most 100 characters"))
            continue
        if key in seen:
            outcome.problems.append(Problem(number, "key", shown(key), f"row {seen[key]} has the same key"))
            continue
        seen[key] = number
        if key in done:
            outcome.skipped += 1
            continue
        try:
            with transaction.atomic():
                person = _apply_row(row, by=by)
                ImportedCohortChange.objects.create(key=key, imported_by=by)
        except RowRefused as refused:
            outcome.problems.append(
                Problem(number, refused.column, shown(row.get(refused.column)), refused.reason)
            )
        except DomainError as error:
            outcome.problems.extend(_problems_of(error, number, row))
        else:
            outcome.applied += 1
            change = CHANGE_WORDS[row["change"].lower()]
            outcome.changes.append(AppliedChange(number, key, change, person.full_name))


def _problems_of(error: DomainError, number: int, row: dict[str, str]) -> list[Problem]:
    if isinstance(error, NotPermitted):
        return [Problem(number, "change", shown(row["change"]), error.message)]
    fields = getattr(error, "field_errors", None) or {"change": error.message}
    problems = []
    for name, reason in fields.items():
        column = COLUMN_OF.get(name, name if name in REQUIRED + OPTIONAL else "change")
        problems.append(Problem(number, column, shown(row.get(column, "")), reason))
    return problems


def _choice(choices: type[Choices], value: str, column: str) -> str:
    """A coded value by its code or its words, in any case ("flex", "Flex")."""
    for code, label in choices.choices:
        if value.lower() in (code.lower(), str(label).lower()):
            return code
    words = ", ".join(code for code, _label in choices.choices)
    raise RowRefused(column, f"'{shown(value)}' is not one of {words}" if value else f"enter one of {words}")


def _day(value: str, column: str = "date") -> dt.date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise RowRefused(column, "not a real date: write it as 2026-12-31 or 31/12/2026")


def _person(row: dict[str, str], by: StaffMember):
    scheme = _choice(IdentifierScheme, row["person_scheme"], "person_scheme")
    try:
        value = NORMALISERS[IdentifierScheme(scheme)](row["person"])
    except ValidationError as error:
        raise RowRefused("person", " ".join(error.messages)) from None
    found = AgencyIdentifier.objects.filter(scheme=scheme, value=value)
    if scheme == IdentifierScheme.LOCAL:
        # A local number is one agency's: a member of no agency matches none.
        found = found.filter(agency_id=by.agency_id) if by.agency_id is not None else found.none()
    identifier = found.select_related("person").first()
    # Someone the importer may not know is answered as someone who does not exist.
    if identifier is None or not may_know(by, identifier.person_id):
        label = IdentifierScheme(scheme).label
        raise RowRefused("person", f"no person you may see has the {label} {value}")
    return identifier.person


def _awaiting(person) -> CohortReferral:
    referral = CohortReferral.objects.filter(person=person, status=ReferralStatus.AWAITING_PANEL).first()
    if referral is None:
        raise RowRefused("change", f"{person.full_name} has no referral waiting for the panel")
    return referral


def _membership(person) -> CohortMembership:
    membership = CohortMembership.objects.current().filter(person=person).first()
    if membership is None:
        raise RowRefused("change", f"{person.full_name} is not in the cohort")
    return membership


def _staff(username: str) -> StaffMember:
    staff = StaffMember.objects.filter(username=username, is_active=True).select_related("agency").first()
    if staff is None:
        raise RowRefused("key_worker", f"there is no active account with the username '{shown(username)}'")
    return staff


def _apply_row(row: dict[str, str], *, by: StaffMember) -> Person:
    """Apply one row's change; the person it changed."""
    change = row["change"].lower()
    if change not in CHANGES:
        raise RowRefused(
            "change",
            f"'{shown(row['change'])}' is not a change this file can make; use one of {', '.join(CHANGES)}",
        )
    # The row's own values are checked before the cohort is looked at, so a slip in a date is reported
    # as such even where an earlier row's problem left the person outside the cohort.
    day = _day(row.get("date", ""))
    tier = _choice(Tier, row.get("tier", ""), "tier") if change in ("accept", "tier") else ""
    source = _choice(ReferralSource, row.get("source", ""), "source") if change == "refer" else ""
    reason, note = row.get("reason", ""), row.get("note", "")
    exit_reason = _choice(ExitReason, reason, "reason") if change == "leave" else ""
    person = _person(row, by)
    if change == "refer":
        services.refer_for_cohort(by=by, person=person, source=source, reason=reason)
    elif change == "accept":
        lead_agency = row.get("lead_agency", "")
        services.accept_referral(
            _awaiting(person), by=by, tier=tier, lead_agency=lead_agency, started_on=day, note=note or reason
        )
    elif change == "decline":
        services.decline_referral(_awaiting(person), by=by, reason=reason)
    elif change == "tier":
        services.change_tier(_membership(person), by=by, tier=tier, reason=reason)
    elif change == "key_worker":
        services.assign_key_worker(_membership(person), by=by, key_worker=_staff(row.get("key_worker", "")))
    elif change == "remove_key_worker":
        key_worker = _staff(row.get("key_worker", ""))
        services.remove_key_worker(_membership(person), by=by, key_worker=key_worker, reason=reason)
    elif change == "review":
        services.set_review_date(_membership(person), by=by, review_on=day)
    else:
        services.leave_cohort(_membership(person), by=by, reason=exit_reason, ended_on=day, note=note)
    return person
