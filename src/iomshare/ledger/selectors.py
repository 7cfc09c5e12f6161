"""Reads of the ledger: who received an item, and the information-governance reports.

Reports page by keyset (newest first by (at, id)), so page 10,000 costs what page 1 costs on a
ledger of millions of entries; each report query runs on an index that starts with its subject.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import DISCLOSURE_ACTIONS, AgencyDisclosure, LedgerEntry, Outcome
from iomshare.partnership.models import Role, StaffMember

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
REPORT_ROLES = {Role.IG_LEAD, Role.PARTNERSHIP_MANAGER}


class ReportKind:
    """The reports, named as they appear in URLs."""

    PERSON = "people"
    AGENCY = "agencies"
    STAFF = "staff"


def may_run_reports(viewer: StaffMember) -> bool:
    """IG leads (for their own agency, so only with one) and partnership managers."""
    if not viewer.is_authenticated or viewer.role not in REPORT_ROLES:
        return False
    return viewer.role == Role.PARTNERSHIP_MANAGER or viewer.agency_id is not None


NOT_PERMITTED_MESSAGE = (
    "Only information-governance leads and partnership managers can read the disclosure ledger."
)


def check_may_run_reports(viewer: StaffMember) -> None:
    if not may_run_reports(viewer):
        raise NotPermitted(NOT_PERMITTED_MESSAGE)


def recipients_of(item_id: uuid.UUID | str, person_id: uuid.UUID | str) -> set[int]:
    """Ids of every staff member the ledger shows received the item (saw it, exported it, was sent it)."""
    wanted = str(item_id)
    rows = LedgerEntry.objects.filter(
        person_id=person_id,
        action__in=DISCLOSURE_ACTIONS,
        outcome__in=[Outcome.ALLOWED, Outcome.SUCCEEDED],
        actor_id__isnull=False,
        item_ids__contains=wanted,  # narrows by text; confirmed exactly below
    ).values_list("actor_id", "item_ids")
    return {actor_id for actor_id, item_ids in rows if actor_id is not None and wanted in item_ids}


def recipients_of_items(
    item_ids: Iterable[uuid.UUID | str], person_id: uuid.UUID | str
) -> dict[str, set[int]]:
    """`recipients_of` for many items of one person in one read of the person's ledger entries."""
    wanted = {str(item_id) for item_id in item_ids}
    found: dict[str, set[int]] = {item_id: set() for item_id in wanted}
    rows = LedgerEntry.objects.filter(
        person_id=person_id,
        action__in=DISCLOSURE_ACTIONS,
        outcome__in=[Outcome.ALLOWED, Outcome.SUCCEEDED],
        actor_id__isnull=False,
    ).values_list("actor_id", "item_ids")
    for actor_id, item_ids in rows.iterator(chunk_size=2000):
        if actor_id is None:  # excluded by the filter; the column may be empty for other actions
            continue
        for item_id in wanted.intersection(item_ids):
            found[item_id].add(actor_id)
    return found


@dataclass(frozen=True)
class DateRange:
    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise InvalidInput(
                "The report was not run: correct the problems listed.",
                field_errors={"end": "The end date must be the same as or after the start date"},
            )

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Whole days in the partnership's time zone: from the start of `start` to the end of `end`."""
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone) if self.start else None
        until = (
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
            if self.end
            else None
        )
        return since, until


@dataclass(frozen=True)
class ReportPage:
    entries: list[LedgerEntry]
    next_cursor: str | None


def encode_cursor(entry: LedgerEntry) -> str:
    raw = f"{entry.at.astimezone(dt.UTC).isoformat()}|{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, entry_id = raw.split("|")
        at = dt.datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError
        return at, int(entry_id)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "The page link is not valid.", field_errors={"after": "Start again from the first page"}
        ) from None


def _person_query(person_id: uuid.UUID) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(person_id=person_id)


def _staff_query(staff_id: int) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(actor_id=staff_id)


def _agency_query(agency_code: str, since, until) -> QuerySet[LedgerEntry]:
    disclosures = AgencyDisclosure.objects.filter(holding_agency=agency_code)
    if since:
        disclosures = disclosures.filter(at__gte=since)
    if until:
        disclosures = disclosures.filter(at__lt=until)
    return LedgerEntry.objects.filter(id__in=disclosures.values("entry_id"))


def report_query(kind: str, subject: object, dates: DateRange) -> QuerySet[LedgerEntry]:
    since, until = dates.bounds()
    if kind == ReportKind.PERSON:
        query = _person_query(subject)  # type: ignore[arg-type]
    elif kind == ReportKind.STAFF:
        query = _staff_query(subject)  # type: ignore[arg-type]
    elif kind == ReportKind.AGENCY:
        query = _agency_query(str(subject), since, until)
    else:
        raise ValueError(f"Unknown report {kind!r}")
    if since:
        query = query.filter(at__gte=since)
    if until:
        query = query.filter(at__lt=until)
    return query.order_by("-at", "-id")


def report_page(
    kind: str, subject: object, dates: DateRange, *, after: str | None = None, limit: int = PAGE_SIZE
) -> ReportPage:
    """One page of a report, newest first; `after` is the cursor the previous page returned."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = report_query(kind, subject, dates)
    if after:
        at, entry_id = decode_cursor(after)
        query = query.filter(Q(at__lt=at) | Q(at=at, id__lt=entry_id))
    entries = list(query[: limit + 1])
    has_more = len(entries) > limit
    entries = entries[:limit]
    return ReportPage(
        entries=entries, next_cursor=encode_cursor(entries[-1]) if has_more and entries else None
    )


def report_rows(kind: str, subject: object, dates: DateRange, *, batch: int = 2000) -> Iterator[LedgerEntry]:
    """Every entry of a report, newest first, fetched a keyset page at a time (for CSV downloads)."""
    after = None
    while True:
        page = report_page(kind, subject, dates, after=after, limit=batch)
        yield from page.entries
        if page.next_cursor is None:
            return
        after = page.next_cursor


def staff_names(entries: list[LedgerEntry]) -> dict[int, str]:
    """Full names of the actors on a page (the ledger keeps ids and usernames only)."""
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    return {member.pk: str(member) for member in StaffMember.objects.filter(pk__in=ids)}


def disclosure_history(person_id: uuid.UUID) -> list[LedgerEntry]:
    """Every disclosure of information about a person (for the subject access pack), oldest first."""
    return list(
        LedgerEntry.objects.filter(person_id=person_id, action__in=DISCLOSURE_ACTIONS).order_by("at", "id")
    )


@dataclass(frozen=True)
class ReportSubject:
    kind: str
    key: object  # person uuid, agency code or staff id: what the report query filters on
    label: str
    person_id: uuid.UUID | None = None


def report_subject(kind: str, key: str, *, viewer: StaffMember) -> ReportSubject:
    """Resolve what a report is about, and check `viewer` may run it.

    Information-governance leads and partnership managers may read any person's disclosure history;
    an agency's disclosure log and a staff member's accesses are for that agency's own IG lead (or a
    partnership manager), since they are the controller's business.
    """
    from iomshare.errors import NotFound
    from iomshare.partnership.models import Agency
    from iomshare.people.models import Person
    from iomshare.people.visibility import may_know

    check_may_run_reports(viewer)
    if kind == ReportKind.PERSON:
        try:
            person = Person.objects.filter(pk=uuid.UUID(str(key))).first()
        except ValueError:
            person = None
        if person is None or not may_know(viewer, person.pk):
            raise NotFound(f"There is no person with the id {key}.")
        return ReportSubject(kind, person.pk, person.full_name, person_id=person.pk)
    if kind == ReportKind.AGENCY:
        agency = Agency.objects.filter(code=str(key)).first()
        if agency is None:
            raise NotFound(f"There is no agency with the code {key!r}.")
        _check_own_agency(viewer, agency.pk, "an agency's disclosure log")
        return ReportSubject(kind, agency.code, agency.name)
    if kind == ReportKind.STAFF:
        member = (
            StaffMember.objects.filter(pk=int(key)).select_related("agency").first()
            if str(key).isdigit()
            else None
        )
        if member is None:
            raise NotFound(f"There is no staff member with the id {key}.")
        _check_own_agency(viewer, member.agency_id, "a staff member's access report")
        of_agency = f", {member.agency.name}" if member.agency is not None else ""
        return ReportSubject(kind, member.pk, f"{member} ({member.username}{of_agency})")
    raise NotFound(f"There is no report called {kind!r}.")


def _check_own_agency(viewer: StaffMember, agency_id: int | None, what: str) -> None:
    if viewer.role == Role.PARTNERSHIP_MANAGER:
        return
    if agency_id is None or viewer.agency_id != agency_id:
        raise NotPermitted(f"Only your own agency's information-governance lead can read {what}.")
