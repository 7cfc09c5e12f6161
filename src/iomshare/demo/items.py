"""The demo's information items, spread over agencies and categories as a partnership's would be.

Each agency records mostly what it is there for (police: offending and intelligence; health:
substance misuse), busier cases (Fixed tier) have more records, and about one item in twelve is
past its review date, so the demo shows stale information the way a real partnership would.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from typing import TypeVar

from faker import Faker

from iomshare.demo.cohort import LONDON, CohortMember, seeded_uuid
from iomshare.demo.texts import DETAILS, SUMMARIES
from iomshare.partnership.models import Role, StaffMember
from iomshare.records.models import Category, InformationItem, ItemStatus, Sensitivity

# How much each agency records about a person it knows, relative to the others.
AGENCY_ACTIVITY = {
    "police": 3.0,
    "probation": 3.0,
    "prison": 1.2,
    "council": 1.0,
    "health": 1.5,
    "charity": 1.0,
}

CATEGORY_WEIGHTS: dict[str, dict[str, int]] = {
    "police": {
        "offending": 30,
        "intelligence": 25,
        "contact": 25,
        "warning_marker": 10,
        "safeguarding": 5,
        "risk": 5,
    },
    "probation": {
        "contact": 32,
        "risk": 18,
        "intervention": 14,
        "accommodation": 10,
        "ete": 10,
        "attitudes": 6,
        "finance": 5,
        "children_families": 5,
    },
    "prison": {"custody": 45, "intervention": 30, "ete": 15, "contact": 10},
    "council": {"accommodation": 60, "finance": 25, "children_families": 10, "safeguarding": 5},
    "health": {"substance_misuse": 60, "health": 35, "contact": 5},
    "charity": {"ete": 45, "contact": 45, "finance": 10},
}

# The share of each category's items marked OFFICIAL-SENSITIVE; the rest are OFFICIAL.
SENSITIVE_SHARE = {
    "intelligence": 0.95,
    "health": 0.9,
    "substance_misuse": 0.9,
    "safeguarding": 0.9,
    "risk": 0.7,
    "warning_marker": 0.6,
    "children_families": 0.6,
}
DEFAULT_SENSITIVE_SHARE = 0.1

# The share of each category's items that stop applying on a known date (a tenancy ends, a course
# finishes); the rest stay valid until corrected.
ENDING_SHARE = {"accommodation": 0.4, "custody": 0.5, "intervention": 0.5, "ete": 0.3}
DEFAULT_ENDING_SHARE = 0.1

T = TypeVar("T")

STALE_SHARE = 0.08
HISTORY_DAYS = 3 * 365
VOLUNTEER_AUTHORED_SHARE = 0.25  # of the charity's contact and ete items


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _pick(rng: random.Random, options: Sequence[T], cumulative: list[float]) -> T:
    """rng.choices(options, cum_weights=cumulative)[0], the same draw, without its per-call overhead."""
    return options[bisect(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class ItemWriter:
    """Draws items one at a time from the seed; build once, then call `items(count)`."""

    def __init__(
        self,
        rng: random.Random,
        fake: Faker,
        cohort: list[CohortMember],
        staff: list[StaffMember],
        categories: dict[str, Category],
        today: dt.date,
    ) -> None:
        self.rng = rng
        self.today = today
        self.categories = categories
        # A pool of places, drawn once from Faker, keeps text generation fast and seed-stable.
        self.places = [fake.city() for _ in range(60)]
        self.streets = [fake.street_name() for _ in range(200)]
        self.cohort = cohort
        self.cohort_cumulative = _cumulative([member.activity for member in cohort])
        self.agency_cumulative = [
            _cumulative([AGENCY_ACTIVITY[code] for code in member.agencies]) for member in cohort
        ]
        self.authors: dict[str, list[StaffMember]] = {}
        self.volunteers: dict[str, list[StaffMember]] = {}
        for member in staff:
            if member.agency is None:  # none in the demo: build_staff gives every member an agency
                continue
            if member.role == Role.PRACTITIONER:
                self.authors.setdefault(member.agency.code, []).append(member)
            elif member.role == Role.VOLUNTEER:
                self.volunteers.setdefault(member.agency.code, []).append(member)
        self.category_choices = {
            agency: (list(weights), _cumulative(list(weights.values())))
            for agency, weights in CATEGORY_WEIGHTS.items()
        }

    def items(self, count: int) -> Iterator[InformationItem]:
        """`count` unsaved items, in a sequence fixed by the seed."""
        for _ in range(count):
            yield self._item()

    def _item(self) -> InformationItem:
        rng = self.rng
        index = _pick(rng, range(len(self.cohort)), self.cohort_cumulative)
        member = self.cohort[index]
        agency = _pick(rng, member.agencies, self.agency_cumulative[index])
        codes, cumulative = self.category_choices[agency]
        category = _pick(rng, codes, cumulative)

        # Up to yesterday: an item "recorded" later today would be recorded in the future.
        recorded_on = self.today - dt.timedelta(days=rng.randint(1, HISTORY_DAYS))
        recorded_at = dt.datetime.combine(
            recorded_on, dt.time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)), LONDON
        )
        lookback = 90 if category == "offending" else 14
        valid_from = recorded_on - dt.timedelta(days=rng.randint(0, lookback))
        valid_to = None
        if rng.random() < ENDING_SHARE.get(category, DEFAULT_ENDING_SHARE):
            valid_to = valid_from + dt.timedelta(days=rng.randint(14, 400))
        if rng.random() < STALE_SHARE:
            review_by = self.today - dt.timedelta(days=rng.randint(1, 180))
        else:
            review_by = self.today + dt.timedelta(days=rng.randint(7, 730))
        is_sensitive = rng.random() < SENSITIVE_SHARE.get(category, DEFAULT_SENSITIVE_SHARE)

        authors = self.authors[agency]
        volunteer_may_write = category in {"contact", "ete"} and agency in self.volunteers
        if volunteer_may_write and rng.random() < VOLUNTEER_AUTHORED_SHARE:
            authors = self.volunteers[agency]
        author = rng.choice(authors)
        assert author.agency_id is not None  # authors are grouped by their agency

        fill = {
            "place": rng.choice(self.places),
            "street": rng.choice(self.streets),
            "date": _long_date(valid_from),
            "weeks": rng.randint(2, 12),
            "count": rng.randint(2, 9),
        }
        summary = rng.choice(SUMMARIES[category]).format(**fill)
        sentences = DETAILS[category]
        # Kept in the templates' order, which reads as a note would: what happened, then what next.
        chosen = sorted(rng.sample(range(len(sentences)), k=min(len(sentences), rng.randint(2, 3))))
        details = " ".join(sentences[i].format(**fill) for i in chosen)
        item = InformationItem(
            id=seeded_uuid(rng),
            # Ids rather than objects: assigning 30,000 related objects costs seconds for nothing.
            person_id=member.person.pk,
            holding_agency_id=author.agency_id,
            author_id=author.pk,
            category_id=self.categories[category].pk,
            sensitivity=Sensitivity.OFFICIAL_SENSITIVE if is_sensitive else Sensitivity.OFFICIAL,
            recorded_at=recorded_at,
            valid_from=valid_from,
            valid_to=valid_to,
            review_by=review_by,
            status=ItemStatus.LIVE,
        )
        # Content is sealed by its properties, which the model's constructor would set the same way.
        item.summary = summary
        item.details = details
        return item
