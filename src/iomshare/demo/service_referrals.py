"""The demo's referrals to services and informal exchanges (issue 14): the charity's volunteering
placements and the council's accommodation service, referrals in each state, and conversations
recorded between co-located staff.

Made through the same services as the web pages, so every item sent passes the door for the
receiving agency and every change is on the ledger. Item ids are picked here (the demo package
seeds items and may name them); what may be sent is decided by records.selectors.onward.
"""

from __future__ import annotations

import datetime as dt
import random

from iomshare.partnership.models import StaffMember
from iomshare.people.models import CohortMembership
from iomshare.people.visibility import may_know
from iomshare.records.models import InformationItem
from iomshare.records.selectors.onward import check_onward_sharing
from iomshare.service_referrals import exchanges, services

OFFERS = [
    # (agency's manager, contact, name, kind, purpose, categories a referral usually sends)
    (
        "charity.ig",
        "charity.practitioner",
        "Volunteering placements",
        "volunteering",
        "volunteering_placement",
        ("ete", "intervention"),
        "Placements with food banks, community gardens and the charity shop, with a volunteer mentor.",
    ),
    (
        "council.ig",
        "council.practitioner",
        "Housing options and supported accommodation",
        "accommodation",
        "accommodation",
        ("accommodation", "finance"),
        "Assessment for supported accommodation and help with a tenancy.",
    ),
]
REASONS = [
    "Wants structure and a reference for work; a placement would help with both.",
    "Leaving approved premises next month with no settled address.",
    "Keen to get back into catering; a mentor would keep him on track.",
    "Sofa-surfing since release, which puts his licence conditions at risk.",
]
EXCHANGES = [
    (
        "charity",
        "Mentoring coordinator",
        "co_located",
        "Agreed the charity will offer a mentor once the curfew ends.",
    ),
    (
        "council",
        "Housing options officer",
        "phone",
        "Told housing of the licence address condition; housing to call back.",
    ),
    (
        "police",
        "IOM police constable",
        "meeting",
        "Shared that he has engaged well this month; police to ease home visits.",
    ),
]


def _staff(username: str) -> StaffMember | None:
    return StaffMember.objects.filter(username=username).select_related("agency").first()


def _sendable(referrer, contact, person, categories, purpose) -> list:
    candidates = list(
        InformationItem.objects.filter(
            person=person, holding_agency_id=referrer.agency_id, category__code__in=categories
        ).values_list("pk", flat=True)[:6]
    )
    checks = check_onward_sharing(referrer, contact, person, candidates, purpose=purpose)
    return [check.item_id for check in checks if check.may_send][:2]


def load_demo_service_referrals(rng: random.Random, today: dt.date) -> None:
    """Two services; referrals from probation to them in each state; three informal exchanges."""
    referrer = _staff("probation.practitioner")
    if referrer is None:
        return
    offers = []
    for manager, contact, name, kind, purpose, categories, description in OFFERS:
        by, receiver = _staff(manager), _staff(contact)
        if by is None or receiver is None:
            continue
        offer = services.offer_service(
            by=by, name=name, kind=kind, purpose=purpose, contact=receiver, description=description
        )
        offers.append((offer, categories))
    members = list(
        CohortMembership.objects.current(today)
        .filter(lead_agency_id=referrer.agency_id)
        .select_related("person")
        .order_by("person__family_name", "id")[:40]
    )
    outcomes = ["sent", "accepted", "declined", "completed"]
    n = 0
    for offer, categories in offers:
        purpose = offer.purpose.code
        people = [
            m.person
            for m in members
            if may_know(referrer, m.person_id) and may_know(offer.contact, m.person_id, purpose)
        ]
        for person, outcome in zip(people, outcomes, strict=False):
            referral = services.refer_to_service(
                by=referrer,
                person=person,
                service=offer,
                reason=REASONS[n % len(REASONS)],
                item_ids=_sendable(referrer, offer.contact, person, categories, purpose),
            )
            n += 1
            if outcome in ("accepted", "completed"):
                services.decide_referral(
                    referral, by=offer.contact, decision="accept", reason="First session booked."
                )
            if outcome == "completed":
                services.decide_referral(
                    referral, by=offer.contact, decision="complete", reason="Finished the twelve weeks."
                )
            if outcome == "declined":
                services.decide_referral(
                    referral,
                    by=offer.contact,
                    decision="decline",
                    reason="No places until the spring intake.",
                )
    people = [m.person for m in members if may_know(referrer, m.person_id)][:3]
    for person, (agency, who, channel, what) in zip(people, EXCHANGES, strict=False):
        exchanges.record_exchange(
            by=referrer,
            person=person,
            other_agency=agency,
            other_person=who,
            channel=channel,
            happened_on=today - dt.timedelta(days=rng.randint(1, 30)),
            what=what,
        )
