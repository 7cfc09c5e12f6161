"""Consent, where a clause makes it the lawful basis: recording, withdrawing and overriding it.

A clause with `consent_needed` shares about a person only from holding agencies whose sharing the
person has consented to (see decisions.access_grid's `consented_sources`). Practitioners and
information-governance leads record and withdraw consent; withdrawal takes effect at once. Where
consent is not recorded, someone with the `protocols.override_consent` permission may override it
for themselves, for one person, holding agency and purpose, with a reason, for at most 72 hours.
Every record, withdrawal and override is on the ledger.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.partnership.selectors import who_to_ask
from iomshare.people.models import Person
from iomshare.protocols.models import ConsentMethod, ConsentOverride, ConsentRecord, Purpose

OVERRIDE_PERMISSION = "protocols.override_consent"
MAX_OVERRIDE_HOURS = 72
MAX_TEXT = 2000


# --- what the sharing decision asks -----------------------------------------------------------------


def _moment(on: dt.date | dt.datetime | None) -> dt.datetime:
    """A date means now when it is today, else the start of that day: overrides last hours, not days."""
    if isinstance(on, dt.datetime):
        return on
    today = timezone.localdate()
    if on is None or on == today:
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(on, dt.time.min))


def _day(on: dt.date | dt.datetime | None) -> dt.date:
    if isinstance(on, dt.datetime):
        return timezone.localdate(on)
    return on or timezone.localdate()


def consented_sources(
    person_id: uuid.UUID | str, purpose_code: str, *, on: dt.date | dt.datetime | None = None
) -> set[int]:
    """Holding agencies whose sharing about the person, for the purpose, has consent in force on `on`."""
    day = _day(on)
    records = (
        ConsentRecord.objects.filter(person_id=person_id, given_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .filter(Q(all_purposes=True) | Q(purposes__code=purpose_code))
        .distinct()
    )
    return {record.sharing_agency_id for record in records if record.is_in_force(day)}


def overridden_sources(
    viewer: StaffMember,
    person_id: uuid.UUID | str,
    purpose_code: str,
    *,
    on: dt.date | dt.datetime | None = None,
) -> set[int]:
    """Holding agencies for which `viewer` holds a consent override in force (person, purpose)."""
    if not viewer.is_authenticated or not viewer.has_perm(OVERRIDE_PERMISSION):
        return set()  # losing the permission ends one's overrides at once
    moment = _moment(on)
    return set(
        ConsentOverride.objects.filter(
            granted_to_id=viewer.pk,
            person_id=person_id,
            purpose__code=purpose_code,
            granted_at__lte=moment,
            expires_at__gt=moment,
        ).values_list("sharing_agency_id", flat=True)
    )


# --- who may do what -------------------------------------------------------------------------------


def may_record_consent(viewer: StaffMember) -> bool:
    """Practitioners and information-governance leads of a partner agency (never volunteers)."""
    return (
        viewer.is_authenticated
        and viewer.agency_id is not None
        and viewer.role in {Role.PRACTITIONER, Role.IG_LEAD}
        and not viewer.is_volunteer
    )


def may_override_consent(viewer: StaffMember) -> bool:
    return (
        viewer.is_authenticated
        and viewer.agency_id is not None
        and not viewer.is_volunteer
        and viewer.has_perm(OVERRIDE_PERMISSION)
    )


# --- reading for the consent page ------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentLine:
    record: ConsentRecord
    status: str  # "In force", "Withdrawn", "Expired", "Not yet given"
    purposes: str

    @property
    def is_in_force(self) -> bool:
        return self.status == "In force"


def consents_for(person: Person, *, on: dt.date | None = None) -> list[ConsentLine]:
    """Every consent record of `person`, newest first, with its status on `on`."""
    day = on or timezone.localdate()
    lines = []
    records = (
        ConsentRecord.objects.filter(person=person)
        .select_related("sharing_agency", "recorded_by", "withdrawn_by")
        .prefetch_related("purposes")
        .order_by("-recorded_at")
    )
    for record in records:
        if record.withdrawn_at is not None:
            status = "Withdrawn"
        elif record.expires_on is not None and record.expires_on < day:
            status = "Expired"
        elif record.given_on > day:
            status = "Not yet given"
        else:
            status = "In force"
        purposes = (
            "All purposes"
            if record.all_purposes
            else ", ".join(sorted(p.name for p in record.purposes.all()))
        )
        lines.append(ConsentLine(record=record, status=status, purposes=purposes))
    return lines


def overrides_for(person: Person) -> list[ConsentOverride]:
    return list(
        ConsentOverride.objects.filter(person=person)
        .select_related("sharing_agency", "purpose", "granted_to")
        .order_by("-granted_at")
    )


# --- business actions ------------------------------------------------------------------------------


def _text(value: str | None, field: str, label: str, *, required: bool, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = f"Enter {label}"
    elif len(value) > MAX_TEXT:
        errors[field] = f"{label[0].upper()}{label[1:]} must be {MAX_TEXT} characters or fewer"
    return value


@transaction.atomic
def record_consent(  # noqa: C901 (one check per field of the consent, each reported at once)
    person: Person,
    sharing_agency: Agency | None,
    purposes: Iterable[Purpose] | None,
    *,
    given_on: dt.date | None,
    expires_on: dt.date | None,
    method: str,
    notes: str = "",
    by: StaffMember,
) -> ConsentRecord:
    """Record `person`'s consent to `sharing_agency` sharing about them; `purposes` None means all."""
    if not may_record_consent(by):
        raise NotPermitted(
            "Only practitioners and information-governance leads of a partner agency can record consent."
        )
    today = timezone.localdate()
    errors: dict[str, str] = {}
    chosen = None if purposes is None else list(purposes)
    if sharing_agency is None:
        errors["sharing_agency"] = "Select the agency whose sharing the person consents to"
    if chosen is not None and not chosen:
        errors["purposes"] = "Select at least one purpose, or all purposes"
    if given_on is None:
        errors["given_on"] = "Enter the date consent was given"
    elif given_on > today:
        errors["given_on"] = "The date consent was given must be today or in the past"
    if expires_on is not None:
        if expires_on < today:
            errors["expires_on"] = "The date consent expires must be today or in the future"
        elif given_on is not None and expires_on < given_on:
            errors["expires_on"] = "The date consent expires must be on or after the date it was given"
    if method not in ConsentMethod.values:
        errors["method"] = "Select how consent was given"
    notes = _text(notes, "notes", "the notes", required=False, errors=errors)
    if errors:
        raise InvalidInput("The consent could not be recorded.", field_errors=errors)
    assert sharing_agency is not None and given_on is not None  # else a problem was named above
    record = ConsentRecord.objects.create(
        person=person,
        sharing_agency=sharing_agency,
        all_purposes=chosen is None,
        given_on=given_on,
        expires_on=expires_on,
        method=method,
        notes=notes,
        recorded_by=by,
    )
    if chosen:
        record.purposes.set(chosen)
    ledger.record(
        Action.CONSENT_RECORDED,
        by=by,
        person=person,
        details={
            "consent": record.pk,
            "sharing_agency": sharing_agency.code,
            "purposes": "all" if chosen is None else sorted(p.code for p in chosen),
            "given_on": given_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
            "method": method,
        },
    )
    return record


@transaction.atomic
def withdraw_consent(record: ConsentRecord, *, by: StaffMember, notes: str = "") -> ConsentRecord:
    """Record that the person withdrew this consent: sharing that relied on it stops at once."""
    if not may_record_consent(by):
        raise NotPermitted(
            "Only practitioners and information-governance leads of a partner agency can record a "
            "withdrawal of consent."
        )
    errors: dict[str, str] = {}
    notes = _text(notes, "withdrawal_notes", "the notes", required=False, errors=errors)
    if errors:
        raise InvalidInput("The withdrawal could not be recorded.", field_errors=errors)
    record = ConsentRecord.objects.select_for_update().select_related("sharing_agency").get(pk=record.pk)
    if record.withdrawn_at is not None:
        raise InvalidInput("This consent was already withdrawn.")
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = by
    record.withdrawal_notes = notes
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_notes"])
    ledger.record(
        Action.CONSENT_WITHDRAWN,
        by=by,
        person=record.person_id,
        details={"consent": record.pk, "sharing_agency": record.sharing_agency.code, "notes": notes},
    )
    return record


@transaction.atomic
def override_consent(
    person: Person,
    sharing_agency: Agency | None,
    purpose: Purpose | None,
    *,
    by: StaffMember,
    reason: str,
    hours: int | None,
) -> ConsentOverride:
    """Let `by` receive, without recorded consent, what `sharing_agency` shares for `purpose`.

    For `hours` (1 to 72) only; refused where consent is already in force (nothing to override).
    """
    if not may_override_consent(by):
        raise NotPermitted(
            "You do not have permission to override consent. Ask your information-governance lead, "
            f"{who_to_ask(by.agency_id, Role.IG_LEAD)}."
        )
    errors: dict[str, str] = {}
    if sharing_agency is None:
        errors["sharing_agency"] = "Select the holding agency"
    if purpose is None:
        errors["purpose"] = "Select the purpose"
    reason = _text(reason, "reason", "the reason for sharing without consent", required=True, errors=errors)
    if hours is None:
        errors["hours"] = "Enter how many hours the override lasts"
    elif not 1 <= hours <= MAX_OVERRIDE_HOURS:
        errors["hours"] = f"The override must last between 1 and {MAX_OVERRIDE_HOURS} hours"
    if errors:
        raise InvalidInput("The override could not be recorded.", field_errors=errors)
    assert sharing_agency is not None and purpose is not None and hours is not None  # else named above
    if sharing_agency.pk in consented_sources(person.pk, purpose.code):
        raise InvalidInput(
            f"{person}'s consent to {sharing_agency} sharing for {purpose.name.lower()} is recorded "
            "and in force: there is nothing to override.",
            field_errors={"sharing_agency": "Consent is already recorded for this agency and purpose"},
        )
    now = timezone.now()
    override = ConsentOverride.objects.create(
        person=person,
        sharing_agency=sharing_agency,
        purpose=purpose,
        reason=reason,
        granted_to=by,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    ledger.record(
        Action.CONSENT_OVERRIDDEN,
        by=by,
        person=person,
        purpose=purpose.code,
        details={
            "override": override.pk,
            "sharing_agency": sharing_agency.code,
            "reason": reason,
            "expires_at": override.expires_at.isoformat(),
        },
    )
    return override
