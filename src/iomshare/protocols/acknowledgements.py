"""Read and acknowledge: each party's staff read the protocol version in force and say they have.

A protocol on paper that nobody has read is problem nine of the design; an acknowledgement per version
means a new version is read afresh. Acknowledgements are kept (who, which version, when) and never
changed; managers and IG leads see their own agency's, and the health check counts them by agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.protocols.models import Acknowledgement, Protocol, ProtocolStatus

# Who sees their agency's acknowledgements: its IG lead, its administrators and its managers.
OVERSEER_ROLES = frozenset({Role.IG_LEAD, Role.ADMIN, Role.PARTNERSHIP_MANAGER})


def _in_force(today: dt.date):
    return Protocol.objects.filter(status=ProtocolStatus.ACTIVE).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def _readers():
    """Staff who are asked to read: people (not system accounts) of a partner agency."""
    return StaffMember.objects.filter(is_active=True, agency__isnull=False).exclude(role=Role.SYSTEM)


def may_acknowledge(viewer: StaffMember, protocol: Protocol, *, today: dt.date | None = None) -> bool:
    """Whether `viewer` is asked to read `protocol`: it is in force and their agency is a party."""
    today = today or timezone.localdate()
    return bool(
        viewer.is_active
        and viewer.agency_id
        and viewer.role != Role.SYSTEM
        # asked of the database, not the object: a version may have been superseded since it was read
        and _in_force(today).filter(pk=protocol.pk, parties=viewer.agency_id).exists()
    )


@dataclass(frozen=True)
class ToRead:
    protocol: Protocol
    acknowledged_at: dt.datetime | None


def versions_to_read(viewer: StaffMember, *, today: dt.date | None = None) -> list[ToRead]:
    """The versions in force that `viewer`'s agency is party to, and when `viewer` acknowledged each."""
    if not viewer.agency_id or viewer.role == Role.SYSTEM:
        return []
    today = today or timezone.localdate()
    protocols = list(_in_force(today).filter(parties=viewer.agency_id).order_by("title"))
    when = dict(
        Acknowledgement.objects.filter(staff_member=viewer, protocol__in=protocols).values_list(
            "protocol_id", "acknowledged_at"
        )
    )
    return [ToRead(protocol, when.get(protocol.pk)) for protocol in protocols]


def acknowledge(protocol: Protocol, *, by: StaffMember) -> Acknowledgement:
    """Record that `by` has read `protocol` (the version in force, of a party of theirs); once only."""
    if not may_acknowledge(by, protocol):
        raise NotPermitted(
            "You can acknowledge only a protocol version in force that your agency is a party to."
        )
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(protocol=protocol, staff_member=by)
    except IntegrityError:
        raise InvalidInput(
            "You have already acknowledged this version.",
            field_errors={"confirm": "You have already acknowledged this version"},
        ) from None


@dataclass(frozen=True)
class StaffReading:
    staff_member: StaffMember
    acknowledged_at: dt.datetime | None


@dataclass(frozen=True)
class VersionReading:
    protocol: Protocol
    staff: list[StaffReading]

    @property
    def acknowledged(self) -> int:
        return sum(1 for s in self.staff if s.acknowledged_at)


def agency_readings(viewer: StaffMember, *, today: dt.date | None = None) -> list[VersionReading]:
    """For each version in force the viewer's agency is party to, who of its staff acknowledged it, when."""
    if viewer.role not in OVERSEER_ROLES or not viewer.agency_id:
        raise NotPermitted(
            "Acknowledgements are shown to each agency's IG lead, administrators and managers."
        )
    today = today or timezone.localdate()
    staff = list(_readers().filter(agency_id=viewer.agency_id))
    protocols = list(_in_force(today).filter(parties=viewer.agency_id).order_by("title"))
    when = {
        (p, s): at
        for p, s, at in Acknowledgement.objects.filter(
            protocol__in=protocols, staff_member__in=staff
        ).values_list("protocol_id", "staff_member_id", "acknowledged_at")
    }
    return [
        VersionReading(
            protocol, [StaffReading(member, when.get((protocol.pk, member.pk))) for member in staff]
        )
        for protocol in protocols
    ]


@dataclass(frozen=True)
class AgencyAcknowledgements:
    agency: str
    expected: int  # staff times the versions in force their agency is party to
    acknowledged: int


def by_agency(today: dt.date) -> list[AgencyAcknowledgements]:
    """Per agency: how many (person, version in force) acknowledgements are expected, and how many made."""
    in_force = list(_in_force(today).values_list("pk", flat=True))
    versions_per_agency: dict[int, set[int]] = {}
    for agency_id, protocol_id in Protocol.parties.through.objects.filter(
        protocol_id__in=in_force
    ).values_list("agency_id", "protocol_id"):
        versions_per_agency.setdefault(agency_id, set()).add(protocol_id)
    staff_per_agency: dict[int, int] = {}
    for agency_id in _readers().values_list("agency_id", flat=True):
        staff_per_agency[agency_id] = staff_per_agency.get(agency_id, 0) + 1
    made: dict[int, int] = {}
    for agency_id, protocol_id in Acknowledgement.objects.filter(
        protocol_id__in=in_force, staff_member__in=_readers()
    ).values_list("staff_member__agency_id", "protocol_id"):
        if protocol_id in versions_per_agency.get(agency_id, set()):
            made[agency_id] = made.get(agency_id, 0) + 1
    rows = []
    for agency in Agency.objects.order_by("name"):
        expected = staff_per_agency.get(agency.pk, 0) * len(versions_per_agency.get(agency.pk, ()))
        if expected:
            rows.append(AgencyAcknowledgements(agency.name, expected, made.get(agency.pk, 0)))
    return rows
