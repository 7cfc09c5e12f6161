"""Per-person access lists (nDelius's exclusion and restriction lists), and who they hide people from.

An exclusion list names staff who must not see a person (a relative, a neighbour, a conflict of
interest). A restriction list, once it has anyone on it, names the only staff who may (a protected
witness, a member of staff's own case). A hidden person does not exist for the viewer: the person page
and the API answer 404 and search leaves them out (records.selectors and people.api call here).
Information-governance leads manage the lists; every change needs a reason and a review date and is
on the ledger. Hiding a person from the partnership is the lead agency's call: an entry placed by
another agency's IG lead waits, with no effect, until an IG lead of the person's lead agency approves
it. The lead agency and the person's key workers are told of every entry that comes into force.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from iomshare import plain_sql as sql
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import (
    IN_FORCE,
    AccessListApproval,
    AccessListEntry,
    AccessListKind,
    CohortMembership,
    Person,
)

MAX_REASON = 2000


def _live() -> QuerySet[AccessListEntry]:
    """Entries in force: not taken off, and not waiting for (or refused) the lead agency's approval."""
    return AccessListEntry.objects.filter(removed_at__isnull=True, approval__in=IN_FORCE)


def hidden_person_ids(viewer: StaffMember) -> QuerySet:
    """Ids of the people `viewer` must not see: excluded, or restricted to others.

    A lazy queryset, for `exclude(person_id__in=...)` inside the caller's one query.
    """
    live = _live()
    excluded = live.filter(kind=AccessListKind.EXCLUSION, staff_member_id=viewer.pk).values("person_id")
    listed = live.filter(
        person_id=OuterRef("person_id"), kind=AccessListKind.RESTRICTION, staff_member_id=viewer.pk
    )
    restricted_to_others = (
        live.filter(kind=AccessListKind.RESTRICTION).exclude(Exists(listed)).values("person_id")
    )
    return Person.objects.filter(Q(pk__in=excluded) | Q(pk__in=restricted_to_others)).values("pk")


def may_see_person(viewer: StaffMember, person_id: uuid.UUID | str) -> bool:
    """Whether no access list hides `person_id` from `viewer` (it says nothing about items)."""
    # Plain SQL: every read of a person passes here (see iomshare.plain_sql).
    entries = [
        (kind, staff)
        for kind, staff, removed_at, approval in sql.select(
            AccessListEntry, ("kind", "staff_member", "removed_at", "approval"), {"person": person_id}
        )
        if removed_at is None and approval in IN_FORCE
    ]
    if (AccessListKind.EXCLUSION, viewer.pk) in entries:
        return False
    restricted_to = {staff for kind, staff in entries if kind == AccessListKind.RESTRICTION}
    return not restricted_to or viewer.pk in restricted_to


def may_manage(viewer: StaffMember) -> bool:
    return viewer.is_authenticated and viewer.role == Role.IG_LEAD and not viewer.is_volunteer


@dataclass(frozen=True)
class AccessLists:
    person: Person
    exclusions: list[AccessListEntry]
    restrictions: list[AccessListEntry]
    removed: list[AccessListEntry]
    pending: list[AccessListEntry]
    lead_agency_id: int | None


def person_for_management(viewer: StaffMember, person_id: uuid.UUID | str) -> Person:
    """The person whose lists `viewer` manages: one they may know (people.visibility). IG leads manage
    lists of people restricted to others (someone must be able to correct them), but never of a
    person they are excluded from."""
    if not may_manage(viewer):
        raise NotPermitted("Only an information-governance lead can manage a person's access lists.")
    person = Person.objects.filter(pk=person_id).first()
    excluded = _live().filter(person_id=person_id, kind=AccessListKind.EXCLUSION, staff_member_id=viewer.pk)
    if person is None or excluded.exists():
        raise NotFound("There is no such person that you may see.")
    # Imported here: visibility builds on this module.
    from iomshare.people.visibility import knows_apart_from_access_lists

    if not knows_apart_from_access_lists(viewer, person.pk):
        raise NotFound("There is no such person that you may see.")
    return person


def access_lists(person: Person) -> AccessLists:
    """Both lists of `person`, and the entries removed from them (the history)."""
    entries = list(
        AccessListEntry.objects.filter(person=person)
        .select_related("staff_member__agency", "added_by", "removed_by")
        .order_by("added_at")
    )
    live = [e for e in entries if e.is_live]
    return AccessLists(
        person=person,
        exclusions=[e for e in live if e.kind == AccessListKind.EXCLUSION],
        restrictions=[e for e in live if e.kind == AccessListKind.RESTRICTION],
        removed=[e for e in entries if e.removed_at is not None],
        pending=[e for e in entries if e.is_pending],
        lead_agency_id=lead_agency_id(person.pk),
    )


def lead_agency_id(person_id: uuid.UUID | str) -> int | None:
    """The agency leading the person's current cohort membership (None outside the cohort)."""
    return (
        CohortMembership.objects.current()
        .filter(person_id=person_id)
        .order_by("-started_on", "pk")
        .values_list("lead_agency_id", flat=True)
        .first()
    )


def is_lead_agency_ig_lead(viewer: StaffMember, person_id: uuid.UUID | str) -> bool:
    """Whether `viewer` decides on entries for the person: an IG lead of its lead agency (or, for a
    person outside the cohort, who has none, any IG lead)."""
    lead = lead_agency_id(person_id)
    return may_manage(viewer) and (lead is None or viewer.agency_id == lead)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Give the reason for the change.", field_errors={"reason": "Enter the reason for this change"}
        )
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            "The reason is too long.",
            field_errors={"reason": f"The reason must be {MAX_REASON} characters or fewer"},
        )
    return reason


def _record(by: StaffMember, person: Person, entry: AccessListEntry, change: str, reason: str) -> None:
    ledger.record(
        Action.ACCESS_LIST_CHANGED,
        by=by,
        person=person,
        details={
            "change": change,
            "list": entry.kind,
            "staff_member": entry.staff_member.username,
            "reason": reason,
            "review_on": entry.review_on.isoformat() if entry.review_on else "",
            "approval": entry.approval,
        },
    )


def _review_on(review_on: dt.date | None) -> dict[str, str]:
    if review_on is None:
        return {"review_on": "Enter the date the entry must be reviewed"}
    if review_on <= timezone.localdate():
        return {"review_on": "The review date must be in the future"}
    return {}


@transaction.atomic
def add_to_access_list(
    person: Person,
    kind: str,
    staff_member: StaffMember | None,
    *,
    by: StaffMember,
    reason: str,
    review_on: dt.date | None,
) -> AccessListEntry:
    """Name `staff_member` on `person`'s exclusion or restriction list, for a reason, until reviewed.

    Placed by the lead agency's IG lead, it is in force at once; placed by another agency's, it waits
    for the lead agency's approval and changes nothing until then.
    """
    if not may_manage(by):
        raise NotPermitted("Only an information-governance lead can change a person's access lists.")
    errors = _review_on(review_on)
    if kind not in AccessListKind.values:
        errors["kind"] = "Select which list"
    if staff_member is None:
        errors["staff_member"] = "Select the member of staff"
    try:
        reason = _reason(reason)
    except InvalidInput as error:
        errors |= error.field_errors
    if errors:
        raise InvalidInput("Some of the information given is not valid.", field_errors=errors)
    assert staff_member is not None
    lead = lead_agency_id(person.pk)
    needs_approval = lead is not None and lead != by.agency_id
    entry = AccessListEntry(
        person=person,
        kind=kind,
        staff_member=staff_member,
        reason=reason,
        added_by=by,
        review_on=review_on,
        approval=AccessListApproval.PENDING if needs_approval else AccessListApproval.NOT_NEEDED,
        approval_agency_id=lead,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        label = AccessListKind(kind).label.split(":")[0].lower()
        raise InvalidInput(
            f"{staff_member} is already on the {label}.",
            field_errors={"staff_member": f"{staff_member} is already on the {label}"},
        ) from None
    _record(by, person, entry, "requested" if needs_approval else "added", reason)
    if needs_approval:
        _ask_lead_agency(entry, by=by)
    else:
        _tell_lead_agency_and_key_workers(entry, "is now on", by=by)
    return entry


@transaction.atomic
def remove_from_access_list(entry: AccessListEntry, *, by: StaffMember, reason: str) -> AccessListEntry:
    """Take a member of staff off a list, for a reason; the entry is kept as history."""
    if not may_manage(by):
        raise NotPermitted("Only an information-governance lead can change a person's access lists.")
    entry = (
        AccessListEntry.objects.select_for_update()
        .select_related("staff_member", "added_by", "person")
        .get(pk=entry.pk)
    )
    if not (is_lead_agency_ig_lead(by, entry.person_id) or by.agency_id == entry.added_by.agency_id):
        raise NotPermitted(
            "Only an IG lead of the person's lead agency, or of the agency that placed the entry, can take it off."
        )
    reason = _reason(reason)
    if entry.removed_at is not None:
        raise InvalidInput(f"{entry.staff_member} was already taken off this list.")
    was_live = entry.is_live
    entry.removed_at = timezone.now()
    entry.removed_by = by
    entry.removal_reason = reason
    entry.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    _record(by, entry.person, entry, "removed", reason)
    if was_live:
        _tell_lead_agency_and_key_workers(entry, "is no longer on", by=by)
    return entry


# --- the lead agency's approval, and who is told --------------------------------------------------


def _list_name(entry: AccessListEntry) -> str:
    return "exclusion list" if entry.kind == AccessListKind.EXCLUSION else "restriction list"


def _lead_agency_ig_leads(person_id, agency_id: int | None) -> list[StaffMember]:
    """Active IG leads of the lead agency who are not excluded from the person."""
    if agency_id is None:
        return []
    excluded = _live().filter(person_id=person_id, kind=AccessListKind.EXCLUSION).values("staff_member_id")
    return list(
        StaffMember.objects.filter(agency_id=agency_id, role=Role.IG_LEAD, is_active=True, is_volunteer=False)
        .exclude(pk__in=excluded)
        .order_by("pk")
    )


def _ask_lead_agency(entry: AccessListEntry, *, by: StaffMember) -> None:
    notify(
        [lead for lead in _lead_agency_ig_leads(entry.person_id, entry.approval_agency_id) if lead != by],
        message=f"{by.agency} asks to put {entry.staff_member} on {entry.person}'s {_list_name(entry)}. "
        "It has no effect until your agency approves it.",
        link=reverse("people:access-list-decide", args=[entry.person_id, entry.pk]),
        reason="access list entry awaiting the lead agency's approval",
        person=entry.person_id,
        by=by,
    )


def _tell_lead_agency_and_key_workers(entry: AccessListEntry, change: str, *, by: StaffMember) -> None:
    """Tell the lead agency's IG leads, the key workers and whoever placed the entry of a change in
    force. Someone the change hides the person from is told that much, without the person's name."""
    key_workers = StaffMember.objects.filter(
        key_work__in=CohortMembership.objects.current().filter(person_id=entry.person_id), is_active=True
    )
    recipients = {
        s.pk: s
        for s in [
            *_lead_agency_ig_leads(entry.person_id, lead_agency_id(entry.person_id)),
            *key_workers,
            entry.added_by,
        ]
    }
    recipients.pop(by.pk, None)
    # The placer named the person themselves, so is told in full even if the entry now hides them.
    named = [s for s in recipients.values() if s == entry.added_by or may_see_person(s, entry.person_id)]
    hidden = [s for s in recipients.values() if s not in named]
    common = {"reason": "access list changed", "person": entry.person_id, "by": by}
    if named:
        notify(
            named,
            message=f"{entry.staff_member} {change} {entry.person}'s {_list_name(entry)} "
            f"(review by {entry.review_on:%-d %B %Y}).",
            link=reverse("people:person", args=[entry.person_id]),
            **common,
        )
    if hidden:
        notify(
            hidden,
            message="An access list now hides a person you worked with from you. Ask your "
            "information-governance lead who takes on your part of their case.",
            **common,
        )


def _pending(entry: AccessListEntry, by: StaffMember) -> AccessListEntry:
    entry = (
        AccessListEntry.objects.select_for_update()
        .select_related("staff_member", "added_by", "person")
        .get(pk=entry.pk)
    )
    if not may_manage(by) or by.agency_id != entry.approval_agency_id:
        raise NotPermitted("Only an IG lead of the person's lead agency can approve or refuse this entry.")
    if not entry.is_pending:
        raise InvalidInput("This entry has already been decided.")
    return entry


@transaction.atomic
def approve_access_list_entry(entry: AccessListEntry, *, by: StaffMember, reason: str) -> AccessListEntry:
    """The lead agency approves another agency's entry: it is in force from now."""
    entry = _pending(entry, by)
    reason = _reason(reason)
    entry.approval = AccessListApproval.APPROVED
    entry.decided_by, entry.decided_at = by, timezone.now()
    entry.save(update_fields=["approval", "decided_by", "decided_at"])
    _record(by, entry.person, entry, "approved", reason)
    _tell_lead_agency_and_key_workers(entry, "is now on", by=by)
    return entry


@transaction.atomic
def refuse_access_list_entry(entry: AccessListEntry, *, by: StaffMember, reason: str) -> AccessListEntry:
    """The lead agency refuses another agency's entry: it never comes into force; its placer is told."""
    entry = _pending(entry, by)
    reason = _reason(reason)
    now = timezone.now()
    entry.approval = AccessListApproval.REFUSED
    entry.decided_by, entry.decided_at = by, now
    entry.removed_by, entry.removed_at, entry.removal_reason = (
        by,
        now,
        f"Refused by the lead agency: {reason}",
    )
    entry.save(
        update_fields=["approval", "decided_by", "decided_at", "removed_by", "removed_at", "removal_reason"]
    )
    _record(by, entry.person, entry, "refused", reason)
    notify(
        [entry.added_by],
        message=f"{by.agency} refused to put {entry.staff_member} on {entry.person}'s {_list_name(entry)}: {reason}",
        link=reverse("people:access-lists", args=[entry.person_id]),
        reason="access list entry refused by the lead agency",
        person=entry.person_id,
        by=by,
    )
    return entry


def notify(*args, **kwargs):
    """alerts.services.notify, imported when used: alerts builds on people (it asks who may see whom)."""
    from iomshare.alerts.services import notify as alerts_notify

    return alerts_notify(*args, **kwargs)
