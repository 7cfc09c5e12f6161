"""Training and vetting administration: who is expired or expiring, and renewals recorded by a manager.

Outside Django's admin so an agency's administrator or manager can keep their own staff and
volunteers in date: an expired course or vetting closes access at once (invariant 5), so the list
looks 30 days ahead. A renewal never overwrites: training renewals are new records, vetting
renewals keep the expiry they replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger import services as ledger
from iomshare.ledger.models import Action
from iomshare.partnership.models import (
    Course,
    Role,
    StaffMember,
    TrainingRecord,
    VettingLevel,
    VettingRenewal,
)

SOON = dt.timedelta(days=30)
VETTING = "vetting"
# An agency's administrators and its partnership managers keep its staff's training in date.
TRAINING_MANAGER_ROLES = frozenset({Role.ADMIN, Role.PARTNERSHIP_MANAGER})


@dataclass(frozen=True)
class Expiry:
    """One course or vetting of one person, expired or expiring within 30 days."""

    staff_member: StaffMember
    subject: str  # a Course value, or VETTING
    label: str
    expires_on: dt.date
    today: dt.date

    @property
    def is_expired(self) -> bool:
        return self.expires_on < self.today

    @property
    def days_left(self) -> int:
        return (self.expires_on - self.today).days

    @property
    def status(self) -> str:
        if self.is_expired:
            return "Expired"
        if self.days_left == 0:
            return "Expires today"
        return f"Expires in {self.days_left} day{'s' if self.days_left != 1 else ''}"


def may_manage_training(viewer: StaffMember) -> bool:
    """Whether `viewer` may see their agency's expiry list and record renewals."""
    return bool(viewer.is_active and viewer.agency_id and viewer.role in TRAINING_MANAGER_ROLES)


def managers_of(staff_member: StaffMember) -> list[StaffMember]:
    """Who keeps `staff_member`'s training in date: their agency's administrators and managers."""
    if staff_member.agency_id is None:
        return []
    return list(
        StaffMember.objects.filter(
            agency_id=staff_member.agency_id, is_active=True, role__in=TRAINING_MANAGER_ROLES
        ).exclude(pk=staff_member.pk)
    )


def expiries(*, agency_id: int | None = None, today: dt.date | None = None) -> list[Expiry]:
    """Each person's latest course (by expiry) and vetting that has expired or expires within 30 days.

    Superseded records do not count: a course renewed beyond 30 days is in date whatever came before.
    """
    today = today or timezone.localdate()
    staff = StaffMember.objects.filter(is_active=True, agency__isnull=False).exclude(role=Role.SYSTEM)
    if agency_id is not None:
        staff = staff.filter(agency_id=agency_id)
    staff_by_id = {member.pk: member for member in staff.select_related("agency")}
    latest: dict[tuple[int, str], dt.date] = {}
    for staff_id, course, expires_on in TrainingRecord.objects.filter(
        staff_member_id__in=staff_by_id
    ).values_list("staff_member_id", "course", "expires_on"):
        key = (staff_id, course)
        latest[key] = max(latest.get(key, expires_on), expires_on)
    found = [
        Expiry(staff_by_id[staff_id], course, Course(course).label, expires_on, today)
        for (staff_id, course), expires_on in latest.items()
        if expires_on <= today + SOON and course in Course.values
    ]
    found += [
        Expiry(
            member,
            VETTING,
            f"Vetting: {VettingLevel(member.vetting_level).label}",
            member.vetting_expires_on,
            today,
        )
        for member in staff_by_id.values()
        if member.vetting_level > 0
        and member.vetting_expires_on
        and member.vetting_expires_on <= today + SOON
    ]
    return sorted(found, key=lambda e: (e.expires_on, str(e.staff_member), e.label))


def history_of(staff_member: StaffMember) -> tuple[list[TrainingRecord], list[VettingRenewal]]:
    """Every training record and vetting renewal of `staff_member`, newest first."""
    training = list(staff_member.training.order_by("-expires_on", "course"))
    vetting = list(staff_member.vetting_renewals.select_related("recorded_by"))
    return training, vetting


def _check_renewal(
    staff_member: StaffMember, subject: str, completed_on: dt.date | None, expires_on: dt.date, today: dt.date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if subject == VETTING:
        if staff_member.vetting_level == VettingLevel.NONE:
            errors["subject"] = f"{staff_member} is not vetted, so there is no vetting to renew"
        elif staff_member.vetting_expires_on and expires_on <= staff_member.vetting_expires_on:
            current = format_date(staff_member.vetting_expires_on, "j F Y")
            errors["expires_on"] = f"The new expiry date must be after the current one, {current}"
    elif subject not in Course.values:
        errors["subject"] = "Choose the course or the vetting being renewed"
    else:
        if completed_on is None:
            errors["completed_on"] = "Enter the date the course was completed"
        elif completed_on > today:
            errors["completed_on"] = "The date the course was completed must be today or in the past"
        elif expires_on <= completed_on:
            errors["expires_on"] = "The new expiry date must be after the date the course was completed"
    if "expires_on" not in errors and expires_on <= today:
        errors["expires_on"] = "The new expiry date must be in the future"
    return errors


@transaction.atomic
def record_renewal(
    staff_member: StaffMember,
    *,
    subject: str,
    expires_on: dt.date,
    completed_on: dt.date | None = None,
    by: StaffMember,
) -> TrainingRecord | VettingRenewal:
    """Record that `staff_member` renewed a course (a new record) or their vetting (a new expiry).

    Only an administrator or manager of the person's own agency may; the change is on the ledger.
    """
    if not may_manage_training(by) or by.agency_id != staff_member.agency_id:
        raise NotPermitted("Only an administrator or manager of their own agency can record a renewal.")
    today = timezone.localdate()
    if errors := _check_renewal(staff_member, subject, completed_on, expires_on, today):
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)
    now = timezone.now()
    renewal: TrainingRecord | VettingRenewal
    if subject == VETTING:
        renewal = VettingRenewal.objects.create(
            staff_member=staff_member,
            vetting_level=staff_member.vetting_level,
            previous_expires_on=staff_member.vetting_expires_on,
            expires_on=expires_on,
            recorded_by=by,
            recorded_at=now,
        )
        staff_member.vetting_expires_on = expires_on
        staff_member.save(update_fields=["vetting_expires_on"])
    else:
        assert completed_on is not None
        renewal = TrainingRecord.objects.create(
            staff_member=staff_member,
            course=subject,
            completed_on=completed_on,
            expires_on=expires_on,
            recorded_by=by,
            recorded_at=now,
        )
    ledger.record(
        Action.ADMIN_CHANGE,
        by=by,
        details={
            "change": "training renewed" if subject != VETTING else "vetting renewed",
            "staff_member": staff_member.get_username(),
            "subject": subject,
            "expires_on": expires_on.isoformat(),
        },
    )
    return renewal
