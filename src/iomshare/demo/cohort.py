"""The demo cohort: each agency's records of its members, resolved into people, with tiers and key workers.

The agencies' records come from the source-record generator (typos, nicknames, swapped names, people
who moved, one agency holding two records for a person, twins), are received through the same
checks as a real extract and linked by the same linkage as `iomshare link`. So the demo's people
are the clusters linkage resolved: real duplicates joined, a few uncertain pairs waiting in the
review queue, and clusters whose records conflict marked as needing attention.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q

from iomshare.demo.source_records import records_of_people
from iomshare.demo.synthetic_records import receive_synthetic_records
from iomshare.identity import services as identity
from iomshare.identity.models import SourceRecord
from iomshare.partnership.models import Agency, Role, StaffMember
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person, Tier

TIER_WEIGHTS = {Tier.FIXED: 25, Tier.FLEX: 45, Tier.FREE: 30}

# Which agency leads a member's case, by tier: statutory supervision (Fixed) sits mostly with
# probation; neighbourhood priorities (Flex, Free) mostly with the police.
LEAD_AGENCY_WEIGHTS = {
    Tier.FIXED: {"probation": 70, "police": 30},
    Tier.FLEX: {"police": 58, "probation": 37, "council": 5},
    Tier.FREE: {"police": 70, "probation": 10, "council": 10, "health": 7, "charity": 3},
}

# The share of the cohort each agency holds a record for (police know everyone: a PNC ID is an IOM
# entry ticket), in the order agencies are listed wherever order matters.
KNOWN_BY = {"police": 1.0, "probation": 0.75, "prison": 0.55, "council": 0.45, "health": 0.5, "charity": 0.3}

# How busy a case is, by tier: Fixed members generate about three times the records of Free ones.
TIER_ACTIVITY = {Tier.FIXED: 2.0, Tier.FLEX: 1.0, Tier.FREE: 0.6}

ENDED_SHARE = 0.12
# People the agencies know who are not (yet) in the cohort: the selection panel's referrals come from them.
KNOWN_OUTSIDE_SHARE = 0.02
DEMO_U_PAIRS = 1e5
HAND_KEYED = "Demo prison booking keyed by hand (synthetic)"
LONDON = ZoneInfo("Europe/London")


@dataclass
class CohortMember:
    """One cohort member (a resolved person), with what the items step needs to know about them."""

    person: Person
    membership: CohortMembership
    agencies: list[str]  # the agencies holding a record of the person, in KNOWN_BY order
    activity: float
    identifiers: list[AgencyIdentifier] = field(default_factory=list)
    key_workers: list[StaffMember] = field(default_factory=list)


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from `rng`, so primary keys repeat with the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _seeded_uuids(rng: random.Random) -> Iterator[uuid.UUID]:
    return (seeded_uuid(rng) for _ in itertools.count())


def plan_cohort(
    rng: random.Random,
    people: list[tuple[Person, list[str]]],
    agencies: dict[str, Agency],
    staff: list[StaffMember],
    today: dt.date,
) -> list[CohortMember]:
    """Each person (with the agencies that hold a record of them) as an unsaved cohort member: tier,
    lead agency (one that knows them), start and end, key workers."""
    practitioners: dict[str, list[StaffMember]] = {}
    for member in staff:
        if member.role == Role.PRACTITIONER and member.agency is not None:
            practitioners.setdefault(member.agency.code, []).append(member)
    tiers, tier_weights = zip(*TIER_WEIGHTS.items(), strict=True)
    cohort = []
    for person, known in people:
        tier = rng.choices(tiers, weights=tier_weights)[0]
        leads = {code: weight for code, weight in LEAD_AGENCY_WEIGHTS[tier].items() if code in known}
        lead = rng.choices(list(leads), weights=list(leads.values()))[0] if leads else known[0]
        started_on = today - dt.timedelta(days=rng.randint(30, 3 * 365))
        ended_on = None
        if rng.random() < ENDED_SHARE and (today - started_on).days > 60:
            ended_on = started_on + dt.timedelta(days=rng.randint(60, (today - started_on).days - 1))
        membership = CohortMembership(
            person=person, tier=tier, lead_agency=agencies[lead], started_on=started_on, ended_on=ended_on
        )
        # The lead agency always provides a key worker; up to two other agencies may add one.
        others = [code for code in known if code != lead]
        worker_agencies = [lead, *rng.sample(others, k=min(len(others), rng.randint(0, 2)))]
        cohort.append(
            CohortMember(
                person=person,
                membership=membership,
                agencies=known,
                activity=TIER_ACTIVITY[tier] * rng.uniform(0.4, 1.6),
                key_workers=[rng.choice(practitioners[code]) for code in worker_agencies],
            )
        )
    return cohort


def demo_records(count: int, *, seed: int) -> list:
    """Every agency's generated records of the demo's people: `count` for the cohort and a few more
    known to the agencies but not in the cohort (whom partners refer to the selection panel)."""
    outside = max(3, round(count * KNOWN_OUTSIDE_SHARE))
    return list(records_of_people(count + outside, seed=seed, reach=KNOWN_BY))


def _a_prison_record_that_disagrees(agencies: dict[str, Agency], provenance: str) -> None:
    """A second prison record of a person carrying another NOMIS number (a booking keyed by hand):
    linkage does not merge it but marks the cluster for a person to look at, as in a real partnership."""
    held = (
        SourceRecord.objects.filter(provenance=provenance, agency=agencies["prison"], waiting_reason="")
        .exclude(nomis="")
        .exclude(pnc="")
        .order_by("record_key")
        .first()
    )
    if held is None:
        return
    nomis = ("B" if held.nomis[0] != "B" else "C") + held.nomis[1:]
    identity.receive_record(
        agency=agencies["prison"],
        data={
            "record_key": f"{held.record_key}-R",
            "given_name": held.given_name,
            "family_name": held.family_name,
            "date_of_birth": held.date_of_birth.isoformat() if held.date_of_birth else "",
            "sex": held.sex,
            "postcode": held.postcode,
            "identifiers": {"pnc": held.pnc, "nomis": nomis},
        },
        provenance=HAND_KEYED,
        match=False,  # linked with everyone else's records in the first link
    )


def load_cohort(
    rng: random.Random,
    count: int,
    agencies: dict[str, Agency],
    staff: list[StaffMember],
    today: dt.date,
    *,
    seed: int,
    progress: Callable[[str, int, int], None],
) -> list[CohortMember]:
    """Receive every agency's records of `count` people, link them, and enrol the people they resolve to.

    Each generated person is enrolled once, through the person holding most of their records; a
    record linkage left apart (a pair waiting for review) stays a person of its own outside the
    cohort until a reviewer links it, as it would in a real partnership. A few more people are
    generated than enrolled: known to the agencies but not in the cohort, they are whom partners refer.
    """
    generated = demo_records(count, seed=seed)
    progress("Agencies' records", 0, len(generated))
    provenance = f"Demo partnership extract (synthetic, seed {seed})"
    receive_synthetic_records(generated, provenance=provenance, expected=len(generated))
    _a_prison_record_that_disagrees(agencies, provenance)
    progress("Agencies' records", len(generated), len(generated))
    progress("Linking records into people", 0, 1)
    # A thousand records have about half a million pairs: u from a fifth of them is as good and faster.
    identity.train_model(u_max_pairs=DEMO_U_PAIRS)
    identity.link_records(new_person_ids=_seeded_uuids(rng))
    progress("Linking records into people", 1, 1)

    truth = {(record.agency, record.record_key): record.person_key for record in generated}
    records_by_truth: dict[int, list[tuple[int, str, uuid.UUID]]] = {}
    # Records too bare to match wait unlinked (no person) in the cannot-match-yet queue.
    linked = SourceRecord.objects.filter(provenance=provenance, person__isnull=False)
    for pk, code, key, person_id in linked.values_list("pk", "agency__code", "record_key", "person_id"):
        records_by_truth.setdefault(truth[code, key], []).append((pk, code, person_id))
    enrolled: dict[uuid.UUID, int] = {}  # person -> the generated person enrolled through them
    # The first `count` generated people are the cohort; the rest stay known to agencies, outside it.
    for person_key in sorted(key for key in records_by_truth if key < count):
        held = sorted(records_by_truth[person_key])
        counts = Counter(person_id for _, _, person_id in held)
        first_record = {person_id: pk for pk, _, person_id in reversed(held)}
        person_id = max(counts, key=lambda p: (counts[p], -first_record[p]))
        # Linkage wrongly joining two generated people (rare) gives one person: enrol them once.
        enrolled.setdefault(person_id, person_key)
    people = Person.objects.in_bulk(list(enrolled))
    held_by: dict[uuid.UUID, set[str]] = {}
    for code, person_id in SourceRecord.objects.filter(person_id__in=list(enrolled)).values_list(
        "agency__code", "person_id"
    ):
        held_by.setdefault(person_id, set()).add(code)
    order = sorted(enrolled, key=enrolled.__getitem__)
    cohort = plan_cohort(
        rng,
        [(people[p], [code for code in KNOWN_BY if code in held_by[p]]) for p in order],
        agencies,
        staff,
        today,
    )
    for member in cohort:
        # Known to the partnership from the day they joined the cohort.
        member.person.created_at = dt.datetime.combine(member.membership.started_on, dt.time(9, 0), LONDON)
    Person.objects.bulk_update([member.person for member in cohort], ["created_at"], batch_size=1000)
    # People of a record waiting for review arrived with this morning's extract.
    arrived = Q(source_records__provenance=provenance) | Q(source_records__provenance=HAND_KEYED)
    Person.objects.filter(arrived).exclude(pk__in=order).update(
        created_at=dt.datetime.combine(today, dt.time(7, 0), LONDON)
    )
    CohortMembership.objects.bulk_create([member.membership for member in cohort], batch_size=1000)
    KeyWorker = CohortMembership.key_workers.through
    KeyWorker.objects.bulk_create(
        [
            KeyWorker(cohortmembership_id=member.membership.pk, staffmember_id=worker.pk)
            for member in cohort
            for worker in member.key_workers
        ],
        batch_size=1000,
    )
    identifiers: dict[uuid.UUID, list[AgencyIdentifier]] = {}
    for identifier in AgencyIdentifier.objects.filter(person_id__in=order).order_by("agency__code", "scheme"):
        identifiers.setdefault(identifier.person_id, []).append(identifier)
    for member in cohort:
        member.identifiers = identifiers.get(member.person.pk, [])
    progress("Cohort", len(cohort), len(cohort))
    return cohort
