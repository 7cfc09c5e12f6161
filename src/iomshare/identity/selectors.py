"""Reads for the identity pages and API: the review queue, a pair side by side, a person's history.

Names, dates of birth and identifiers only: no item content is read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from iomshare.identity import linkage
from iomshare.identity.models import (
    ConflictCase,
    HoldingAgencyNotice,
    LinkageModel,
    LinkageRun,
    MatchDecision,
    Merge,
    ResolutionEvent,
    ReviewCase,
    ReviewStatus,
    SourceRecord,
)
from iomshare.people.models import Person


def open_review_cases() -> QuerySet[ReviewCase]:
    return ReviewCase.objects.filter(status=ReviewStatus.OPEN).select_related(
        "record_a__agency", "record_b__agency", "record_a__person", "record_b__person"
    )


def open_conflicts() -> QuerySet[ConflictCase]:
    return ConflictCase.objects.filter(resolved_at__isnull=True).prefetch_related("records__agency")


def active_model() -> LinkageModel | None:
    return LinkageModel.objects.filter(is_active=True).order_by("-trained_at").first()


def recent_runs(limit: int = 10) -> list[LinkageRun]:
    return list(LinkageRun.objects.select_related("started_by")[:limit])


@dataclass(frozen=True)
class FieldRow:
    """One line of the side-by-side comparison: a field's value in each record, and whether they agree."""

    label: str
    left: str
    right: str

    @property
    def agrees(self) -> bool:
        return bool(self.left) and self.left.upper() == self.right.upper()


def side_by_side(a: SourceRecord, b: SourceRecord) -> list[FieldRow]:
    def fmt_date(record: SourceRecord) -> str:
        return record.date_of_birth.strftime("%-d %B %Y") if record.date_of_birth else ""

    return [
        FieldRow("Agency", a.agency.name, b.agency.name),
        FieldRow("Agency's record key", a.record_key, b.record_key),
        FieldRow("First name", a.given_name, b.given_name),
        FieldRow("Last name", a.family_name, b.family_name),
        FieldRow("Other names", ", ".join(a.aliases), ", ".join(b.aliases)),
        FieldRow("Date of birth", fmt_date(a), fmt_date(b)),
        FieldRow("Sex", a.get_sex_display() if a.sex else "", b.get_sex_display() if b.sex else ""),
        FieldRow("Postcode", a.postcode, b.postcode),
        FieldRow("Address", a.address, b.address),
        FieldRow("PNC ID", a.pnc, b.pnc),
        FieldRow("CRO number", a.cro, b.cro),
        FieldRow("NOMIS number", a.nomis, b.nomis),
        FieldRow("NHS number", a.nhs_number, b.nhs_number),
        FieldRow(
            "Received",
            f"{a.received_at:%-d %b %Y} ({a.provenance})",
            f"{b.received_at:%-d %b %Y} ({b.provenance})",
        ),
    ]


@dataclass(frozen=True)
class Explanation:
    evidence: list[linkage.Evidence]
    prior: float
    total: float
    probability: float


def explain_case(case: ReviewCase) -> Explanation:
    """The match weight of a review case, comparison by comparison, in plain words."""
    return Explanation(
        evidence=linkage.explain(case.model.model, case.weights),
        prior=linkage.prior_weight(case.model.model),
        total=case.match_weight,
        probability=case.match_probability,
    )


def history_of(person: Person) -> QuerySet[ResolutionEvent]:
    """Every identity event about `person`: records linked, merges in and out, unmerges, decisions."""
    return (
        ResolutionEvent.objects.filter(Q(person=person) | Q(other_person=person))
        .select_related("by", "merge", "person", "other_person")
        .prefetch_related("records__agency")
        .distinct()
    )


def merges_of(person: Person) -> QuerySet[Merge]:
    return Merge.objects.filter(Q(survivor=person) | Q(absorbed=person)).select_related(
        "survivor", "absorbed", "merged_by", "undone_by"
    )


def records_of(person: Person) -> QuerySet[SourceRecord]:
    return SourceRecord.objects.filter(person=person).select_related("agency")


def decisions_about(records: list[SourceRecord]) -> QuerySet[MatchDecision]:
    ids = [r.pk for r in records]
    return MatchDecision.objects.filter(Q(record_a__in=ids) | Q(record_b__in=ids)).select_related(
        "decided_by", "record_a__agency", "record_b__agency"
    )


def merged_away_person_ids() -> QuerySet:
    """People emptied by a merge still in force: person lists should hide them (see docs/identity.md)."""
    return Merge.objects.filter(undone_at__isnull=True).values("absorbed_id")


def notices_for(agency_id: int) -> QuerySet[HoldingAgencyNotice]:
    return HoldingAgencyNotice.objects.filter(agency_id=agency_id).select_related("record")


def model_levels(model: LinkageModel) -> list[dict[str, Any]]:
    return linkage.model_summary(model.model)
