"""Per-person access lists (nDelius's exclusion and restriction lists), and who they hide people from.

An exclusion list names staff who must not see a person (a relative, a neighbour, a conflict of
interest). A restriction list, once it has anyone on it, names the only staff who may (a protected
witness, a member of staff's own case). A hidden person does not exist for the viewer: the person page
and the API answer 404 and search leaves them out (records.selectors and people.api call here).
Information-governance leads manage the lists; every change needs a reason and is on the ledger.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from iomshare import plain_sql as sql
from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Role, StaffMember
from iomshare.people.models import AccessListEntry, AccessListKind, Person

MAX_REASON = 2000


def _live() -> QuerySet[AccessListEntry]:
    return AccessListEntry.objects.filter(removed_at__isnull=True)


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
        for kind, staff, removed_at in sql.select(
            AccessListEntry, ("kind", "staff_member", "removed_at"), {"person": person_id}
        )
        if removed_at is None
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


def person_for_management(viewer: StaffMember, person_id: uuid.UUID | str) -> Person:
    """The person whose lists `viewer` manages. IG leads manage lists of people restricted to others
    (someone must be able to correct them), but never of a person they are excluded from."""
    if not may_manage(viewer):
        raise NotPermitted("Only an information-governance lead can manage a person's access lists.")
    person = Person.objects.filter(pk=person_id).first()
    excluded = _live().filter(person_id=person_id, kind=AccessListKind.EXCLUSION, staff_member_id=viewer.pk)
    if person is None or excluded.exists():
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
        removed=[e for e in entries if not e.is_live],
    )


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
        },
    )


@transaction.atomic
def add_to_access_list(
    person: Person, kind: str, staff_member: StaffMember | None, *, by: StaffMember, reason: str
) -> AccessListEntry:
    """Name `staff_member` on `person`'s exclusion or restriction list, for a reason."""
    if not may_manage(by):
        raise NotPermitted("Only an information-governance lead can change a person's access lists.")
    errors = {}
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
    entry = AccessListEntry(person=person, kind=kind, staff_member=staff_member, reason=reason, added_by=by)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        label = AccessListKind(kind).label.split(":")[0].lower()
        raise InvalidInput(
            f"{staff_member} is already on the {label}.",
            field_errors={"staff_member": f"{staff_member} is already on the {label}"},
        ) from None
    _record(by, person, entry, "added", reason)
    return entry


@transaction.atomic
def remove_from_access_list(entry: AccessListEntry, *, by: StaffMember, reason: str) -> AccessListEntry:
    """Take a member of staff off a list, for a reason; the entry is kept as history."""
    if not may_manage(by):
        raise NotPermitted("Only an information-governance lead can change a person's access lists.")
    reason = _reason(reason)
    entry = AccessListEntry.objects.select_for_update().select_related("staff_member").get(pk=entry.pk)
    if not entry.is_live:
        raise InvalidInput(f"{entry.staff_member} was already taken off this list.")
    entry.removed_at = timezone.now()
    entry.removed_by = by
    entry.removal_reason = reason
    entry.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    _record(by, entry.person, entry, "removed", reason)
    return entry
