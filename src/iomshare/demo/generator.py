"""Load (or reset) the synthetic demo partnership in one transaction.

Every step draws from its own random stream derived from the seed, so the same seed gives the same
partnership, and asking for more items does not change who is in the cohort.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from iomshare.demo.casework import load_demo_cohort_work
from iomshare.demo.cohort import load_cohort
from iomshare.demo.import_profiles import load_demo_import_profiles
from iomshare.demo.items import ItemWriter
from iomshare.demo.knowledge import load_demo_knowledge
from iomshare.demo.local_terms import load_demo_local_terms
from iomshare.demo.meetings import load_demo_meetings_and_actions
from iomshare.demo.partnership import (
    STAFF,
    build_agencies,
    build_staff,
    build_training,
    load_demo_consent_and_access_lists,
)
from iomshare.demo.protocols import load_demo_protocols
from iomshare.demo.reset import reset_demo
from iomshare.demo.service_referrals import load_demo_service_referrals
from iomshare.errors import DomainError, InvalidInput
from iomshare.partnership.models import Agency, StaffMember, TrainingRecord
from iomshare.records.models import Category, InformationItem

# The one password of every demo account. `iomshare demo` prints it, so it protects nothing: never
# use it, or the demo accounts, outside a demo.
DEMO_PASSWORD = "demo-only-password"  # noqa: S105 (a documented, public demo password)
DEFAULT_SEED = 2026
BATCH_SIZE = 2000

# (step, advanced_by, total): called as each long step advances, so a command can draw a progress bar.
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    """How big a partnership to generate; tests use a small one."""

    people: int = 300
    items: int = 30_000

    def __post_init__(self) -> None:
        if self.people < 1:
            raise InvalidInput("The demo needs at least one person in the cohort.")
        if self.items < 0:
            raise InvalidInput("The number of items cannot be negative.")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    agency: str
    note: str


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    agencies: int
    staff: int
    people: int
    identifiers: int
    items: int
    protocols: int
    local_terms: int
    logins: list[DemoLogin]
    seconds: float


class DemoAlreadyLoaded(DomainError):
    status = 409
    title = "The database already holds a partnership"


def _stream(seed: int, step: str) -> tuple[random.Random, Faker]:
    """The random stream and Faker of one step: independent of every other step's draws."""
    fake = Faker("en_GB")
    fake.seed_instance(f"{seed}:{step}")
    return random.Random(f"{seed}:{step}"), fake


def _batches(rows: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    scale: Scale | None = None,
    reset: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    with_protocols_and_vocabulary: bool = True,
) -> DemoSummary:
    """Load the demo partnership into an empty database (or, with `reset`, over a previous demo).

    All or nothing: one transaction, so a failure part-way leaves the database as it was. The
    protocols and the agencies' local vocabulary come from their own apps; tests of the people and
    records alone may leave them out.
    """
    started = time.perf_counter()
    scale = scale or Scale()
    progress = progress or _no_progress
    today = today or timezone.localdate()
    with transaction.atomic():
        if reset:
            reset_demo(progress=progress)
        elif Agency.objects.exists():
            raise DemoAlreadyLoaded(
                f"The database already holds {Agency.objects.count()} agencies, so the demo was not "
                "loaded and nothing was changed. Run `iomshare demo --reset` to replace an earlier "
                "demo, or use a fresh database."
            )
        categories = {category.code: category for category in Category.objects.all()}

        rng, fake = _stream(seed, "partnership")
        agencies = Agency.objects.bulk_create(build_agencies(rng, today))
        by_code = {agency.code: agency for agency in agencies}
        # One hash for every account: hashing is deliberately slow, and the password is public anyway.
        staff = StaffMember.objects.bulk_create(
            build_staff(rng, fake, by_code, make_password(DEMO_PASSWORD), today - dt.timedelta(days=400))
        )
        TrainingRecord.objects.bulk_create(build_training(rng, staff, today))
        protocols = local_terms = 0
        if with_protocols_and_vocabulary:
            # Owned by their apps; they need the agencies and their IG leads, and share this transaction.
            local_terms = load_demo_local_terms(agencies)
            load_demo_import_profiles(agencies)
            protocols = len(load_demo_protocols(today=today))

        rng, _ = _stream(seed, "cohort")
        # Each agency's records, received and linked: the cohort is the people linkage resolved.
        cohort = load_cohort(rng, scale.people, by_code, staff, today, seed=seed, progress=progress)
        identifiers = [identifier for member in cohort for identifier in member.identifiers]

        rng, fake = _stream(seed, "items")
        writer = ItemWriter(rng, fake, cohort, staff, categories, today)
        progress("Information items", 0, scale.items)
        for batch in _batches(writer.items(scale.items)):
            # A seeding path, not a read: the demo writes items straight in, in bulk, because
            # records.services.record_item writes one row at a time and 30,000 of them would take
            # minutes. Item content is still read only through records.selectors.
            InformationItem.objects.bulk_create(batch)
            progress("Information items", len(batch), scale.items)
        # Consent records and per-person access lists, so the demo shows them (protocols, people).
        load_demo_consent_and_access_lists(today)
        rng, _ = _stream(seed, "casework")
        load_demo_cohort_work(rng, today)  # review dates, referrals and the panel's decisions (people)
        rng, _ = _stream(seed, "meetings")
        load_demo_meetings_and_actions(rng, today)  # past meetings, minutes and actions (casework)
        if with_protocols_and_vocabulary:  # referrals to services need the protocols to send anything
            rng, _ = _stream(seed, "service_referrals")
            load_demo_service_referrals(rng, today)
        rng, _ = _stream(seed, "knowledge")
        load_demo_knowledge(rng, today)  # organisation profiles, skills and practice notes (knowledge)

    staff_specs = {spec.username: spec for spec in STAFF}
    return DemoSummary(
        seed=seed,
        agencies=len(agencies),
        staff=len(staff),
        people=len(cohort),
        identifiers=len(identifiers),
        items=scale.items,
        protocols=protocols,
        local_terms=local_terms,
        logins=[
            DemoLogin(
                username=member.username,
                name=member.get_full_name(),
                role=member.get_role_display(),
                agency=member.agency.name if member.agency is not None else "",
                note=staff_specs[member.username].note,
            )
            for member in staff
        ],
        seconds=time.perf_counter() - started,
    )
