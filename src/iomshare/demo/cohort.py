"""The demo cohort: people, the identifiers each agency knows them by, tiers and key workers.

Every identifier is generated in its real format with a correct check digit and is passed through
the same normaliser that guards the front door, so the demo never holds a value the system would
reject.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from faker import Faker

from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people import identifiers
from iomshare.people.models import (
    NORMALISERS,
    AgencyIdentifier,
    CohortMembership,
    IdentifierScheme,
    Person,
    Tier,
)

TIER_WEIGHTS = {Tier.FIXED: 25, Tier.FLEX: 45, Tier.FREE: 30}

# Which agency leads a member's case, by tier: statutory supervision (Fixed) sits mostly with
# probation; neighbourhood priorities (Flex, Free) mostly with the police.
LEAD_AGENCY_WEIGHTS = {
    Tier.FIXED: {"probation": 70, "police": 30},
    Tier.FLEX: {"police": 58, "probation": 37, "council": 5},
    Tier.FREE: {"police": 70, "probation": 10, "council": 10, "health": 7, "charity": 3},
}

# The share of the cohort each agency knows (police know everyone: a PNC ID is an IOM entry ticket).
KNOWN_BY = {"police": 1.0, "probation": 0.75, "prison": 0.55, "council": 0.45, "health": 0.5, "charity": 0.3}

# How busy a case is, by tier: Fixed members generate about three times the records of Free ones.
TIER_ACTIVITY = {Tier.FIXED: 2.0, Tier.FLEX: 1.0, Tier.FREE: 0.6}

ENDED_SHARE = 0.12
LONDON = ZoneInfo("Europe/London")


@dataclass
class CohortMember:
    """One generated person, with what the items step needs to know about them."""

    person: Person
    membership: CohortMembership
    agencies: list[str]
    activity: float
    identifiers: list[AgencyIdentifier] = field(default_factory=list)
    key_workers: list[StaffMember] = field(default_factory=list)


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from `rng`, so primary keys repeat with the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _pnc_id(rng: random.Random, date_of_birth: dt.date, today: dt.date) -> str:
    # Issued on a first arrest, at 14 or older.
    year = str(rng.randint(min(date_of_birth.year + 14, today.year), today.year))
    serial = str(rng.randint(1, 9_999_999))
    return f"{year}/{serial.zfill(7)}{identifiers.pnc_check_letter(year, serial)}"


def _cro_number(rng: random.Random, date_of_birth: dt.date, today: dt.date) -> str:
    year = rng.randint(min(date_of_birth.year + 14, today.year), today.year)
    return f"{rng.randint(1, 999_999)}/{year % 100:02d}{rng.choice(string.ascii_uppercase)}"


def _nomis_number(rng: random.Random) -> str:
    letters = rng.choices(string.ascii_uppercase, k=2)
    return f"{rng.choice('AG')}{rng.randint(0, 9999):04d}{''.join(letters)}"


def _nhs_number(rng: random.Random) -> str:
    # 999 000 0000 to 999 999 9999 is the range the NHS never issues, kept for test data: a synthetic
    # number there can never be a real patient's.
    while True:
        digits = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = (11 - total % 11) % 11
        if check != 10:
            return digits + str(check)


def _local_id(agency: str, rng: random.Random) -> str:
    if agency == "probation":  # a case reference number (CRN)
        return f"{rng.choice('BDEX')}{rng.randint(0, 999_999):06d}"
    if agency == "council":
        return f"HOU-{rng.randint(0, 9_999_999):07d}"
    if agency == "charity":
        return f"SCM-{rng.randint(0, 99_999):05d}"
    return f"{agency.upper()}-{rng.randint(0, 9_999_999):07d}"


def _identifiers_for(
    agency: str, rng: random.Random, person: Person, today: dt.date
) -> list[tuple[str, str]]:
    """(scheme, value) pairs this agency would hold for the person."""
    dob = person.date_of_birth
    assert dob is not None
    if agency == "police":
        pairs = [(IdentifierScheme.PNC, _pnc_id(rng, dob, today))]
        if rng.random() < 0.6:
            pairs.append((IdentifierScheme.CRO, _cro_number(rng, dob, today)))
        return pairs
    if agency == "prison":
        return [(IdentifierScheme.NOMIS, _nomis_number(rng))]
    if agency == "health":
        return [(IdentifierScheme.NHS, _nhs_number(rng))]
    return [(IdentifierScheme.LOCAL, _local_id(agency, rng))]


def _unique_identifiers(
    agency: str, rng: random.Random, person: Person, today: dt.date, taken: set[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    """The agency's identifiers for the person, normalised, redrawn on the rare clash with another's."""
    while True:
        pairs = [
            (scheme, NORMALISERS[IdentifierScheme(scheme)](raw))
            for scheme, raw in _identifiers_for(agency, rng, person, today)
        ]
        keys = {(agency, scheme, value) for scheme, value in pairs}
        if not keys & taken:
            taken.update(keys)
            return pairs


def _date_of_birth(rng: random.Random) -> dt.date:
    first, last = dt.date(1965, 1, 1), dt.date(2006, 12, 31)
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def build_cohort(
    rng: random.Random,
    fake: Faker,
    count: int,
    agencies: dict[str, Agency],
    staff: list[StaffMember],
    today: dt.date,
) -> list[CohortMember]:
    """`count` unsaved cohort members with identifiers and key workers chosen."""
    practitioners: dict[str, list[StaffMember]] = {}
    for member in staff:
        if member.role == Role.PRACTITIONER:
            practitioners.setdefault(member.agency.code, []).append(member)
    tiers, tier_weights = zip(*TIER_WEIGHTS.items(), strict=True)
    taken: set[tuple[str, str, str]] = set()
    cohort = []
    for _ in range(count):
        is_male = rng.random() < 0.85  # IOM cohorts are mostly men
        person = Person(
            id=seeded_uuid(rng),
            given_name=fake.first_name_male() if is_male else fake.first_name_female(),
            family_name=fake.last_name(),
            date_of_birth=_date_of_birth(rng),
        )
        tier = rng.choices(tiers, weights=tier_weights)[0]
        leads = LEAD_AGENCY_WEIGHTS[tier]
        lead = rng.choices(list(leads), weights=list(leads.values()))[0]
        known = [code for code, share in KNOWN_BY.items() if code == lead or rng.random() < share]
        started_on = today - dt.timedelta(days=rng.randint(30, 3 * 365))
        person.created_at = dt.datetime.combine(started_on, dt.time(9, 0), LONDON)
        ended_on = None
        if rng.random() < ENDED_SHARE and (today - started_on).days > 60:
            ended_on = started_on + dt.timedelta(days=rng.randint(60, (today - started_on).days - 1))
        membership = CohortMembership(
            person=person,
            tier=tier,
            lead_agency=agencies[lead],
            started_on=started_on,
            ended_on=ended_on,
        )
        # The lead agency always provides a key worker; up to two other agencies may add one.
        others = [code for code in known if code != lead]
        worker_agencies = [lead, *rng.sample(others, k=min(len(others), rng.randint(0, 2)))]
        member = CohortMember(
            person=person,
            membership=membership,
            agencies=known,
            activity=TIER_ACTIVITY[tier] * rng.uniform(0.4, 1.6),
            key_workers=[rng.choice(practitioners[code]) for code in worker_agencies],
        )
        for code in known:
            for scheme, value in _unique_identifiers(code, rng, person, today, taken):
                member.identifiers.append(
                    AgencyIdentifier(person=person, agency=agencies[code], scheme=scheme, value=value)
                )
        cohort.append(member)
    return cohort
