"""Reading referrals to services and informal exchanges: who may see which, and the counts.

Both agencies of a referral or an exchange see it, but only where they may know the person
(people.visibility, invariant 10): a row about someone the viewer may not know is not listed, and
its page answers 404. Shared items and what was said are read only through records.selectors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from iomshare.partnership.models import StaffMember
from iomshare.people.models import Person
from iomshare.people.visibility import known_people, may_know
from iomshare.service_referrals.models import InformalExchange, ServiceOffer, ServiceReferral


def open_services() -> QuerySet[ServiceOffer]:
    """The services taking referrals, every agency's: what is offered is no one's secret."""
    return ServiceOffer.objects.filter(is_open=True).select_related("agency", "purpose", "contact")


def services_of(agency_id: int) -> QuerySet[ServiceOffer]:
    return ServiceOffer.objects.filter(agency_id=agency_id).select_related("agency", "purpose", "contact")


def _referrals() -> QuerySet[ServiceReferral]:
    return ServiceReferral.objects.select_related(
        "person", "service", "referring_agency", "receiving_agency", "purpose", "referred_by"
    )


def referrals_for(viewer: StaffMember, *, direction: str = "") -> QuerySet[ServiceReferral]:
    """Referrals the viewer's agency sent ("sent"), received ("received") or either, about people
    the viewer may know; volunteers see none (they neither refer nor decide)."""
    if viewer.agency_id is None or getattr(viewer, "is_volunteer", False) or viewer.role == "volunteer":
        return ServiceReferral.objects.none()
    sent, received = Q(referring_agency_id=viewer.agency_id), Q(receiving_agency_id=viewer.agency_id)
    where = {"sent": sent, "received": received}.get(direction, sent | received)
    return _referrals().filter(where).filter(person__in=known_people(viewer).values("pk"))


def referral_for(viewer: StaffMember, referral_id) -> ServiceReferral | None:
    """One referral the viewer's agency sent or received about a person they may know; else None."""
    found = referrals_for(viewer).filter(pk=referral_id).first() if str(referral_id).isdigit() else None
    return found if found is not None and may_know(viewer, found.person_id) else None


def referrals_about(viewer: StaffMember, person: Person) -> list[ServiceReferral]:
    """For the person page: the referrals to services the viewer's agency sent or received about them.

    `referrals_for` narrowed to one person, whose knowability is one `may_know` check (a plain
    query for most) rather than the whole "known people" condition compiled into the read."""
    if viewer.agency_id is None or getattr(viewer, "is_volunteer", False) or viewer.role == "volunteer":
        return []
    if not may_know(viewer, person.pk):
        return []
    sent_or_received = Q(referring_agency_id=viewer.agency_id) | Q(receiving_agency_id=viewer.agency_id)
    return list(_referrals().filter(sent_or_received, person=person)[:10])


def exchanges_for(viewer: StaffMember) -> QuerySet[InformalExchange]:
    """Informal exchanges the viewer's agency took part in, about people the viewer may know."""
    if viewer.agency_id is None or getattr(viewer, "is_volunteer", False) or viewer.role == "volunteer":
        return InformalExchange.objects.none()
    return (
        InformalExchange.objects.filter(
            Q(recording_agency_id=viewer.agency_id) | Q(other_agency_id=viewer.agency_id)
        )
        .filter(person__in=known_people(viewer).values("pk"))
        .select_related("person", "recorded_by", "recording_agency", "other_agency")
    )


def exchange_for(viewer: StaffMember, exchange_id) -> InformalExchange | None:
    return exchanges_for(viewer).filter(pk=exchange_id).first() if str(exchange_id).isdigit() else None


@dataclass(frozen=True)
class ExchangeCount:
    """How many informal exchanges one agency took part in during one month (either side)."""

    agency_code: str
    month: str  # "2026-03"
    recorded: int  # recorded by the agency
    received: int  # recorded by another agency, naming it

    @property
    def total(self) -> int:
        return self.recorded + self.received


def exchange_counts_by_agency_and_month() -> list[ExchangeCount]:
    """Informal exchanges per agency and month of the conversation, for the partnership health check:
    counts only, never who or what."""
    recorded: Counter = Counter()
    received: Counter = Counter()
    for side, counter in (("recording_agency__code", recorded), ("other_agency__code", received)):
        rows = (
            InformalExchange.objects.annotate(month=TruncMonth("happened_on"))
            .values_list(side, "month")
            .annotate(n=Count("id"))
            .order_by()
        )
        for code, month, n in rows:
            counter[(code, f"{month:%Y-%m}")] += n
    keys = sorted(set(recorded) | set(received), key=lambda key: (key[1], key[0]))
    return [
        ExchangeCount(code, month, recorded[(code, month)], received[(code, month)]) for code, month in keys
    ]


def exchange_counts_by_key_worker() -> dict[str, int]:
    """Informal exchanges recorded per member of staff (username), for the health check: counts only."""
    rows = InformalExchange.objects.values_list("recorded_by__username").annotate(n=Count("id")).order_by()
    return dict(rows)
