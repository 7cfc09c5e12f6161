"""Training the linkage model on the partnership's records, with every reviewer's ruling as a
known pair."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from django.db import transaction

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import linkage
from iomshare.identity.models import (
    LinkageModel,
    MatchDecision,
    Outcome,
    SourceRecord,
)
from iomshare.identity.resolution import REVIEWER_ROLES, Progress, no_progress
from iomshare.partnership.models import StaffMember


def active_model() -> LinkageModel | None:
    return LinkageModel.objects.filter(is_active=True).order_by("-trained_at").first()


def _records_table(con) -> tuple[str, int]:
    rows = (
        SourceRecord.objects.values_list(
            "pk",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "postcode",
            "pnc",
            "cro",
            "nomis",
            "nhs_number",
            "address",
            "other_identifiers",
        )
        .filter(waiting_reason="")
        .iterator(chunk_size=5000)
    )
    names = linkage.RAW_SCHEMA.names
    table = linkage.raw_table(
        dict(zip(names, (*row[:-1], [f"{k}:{v}" for k, v in sorted(row[-1].items())]), strict=True))
        for row in rows
    )
    return linkage.prepare(con, table), table.num_rows


def train_model(
    *,
    by: StaffMember | None = None,
    thresholds: linkage.Thresholds | None = None,
    seed: int = 1,
    u_max_pairs: float = 1e6,
    progress: Progress = no_progress,
) -> LinkageModel:
    """Train a new model by EM on every source record the partnership holds, and make it the active one."""
    if by is not None and by.role not in REVIEWER_ROLES:
        raise NotPermitted("Only an information-governance lead or an administrator can retrain linkage.")
    thresholds = thresholds or linkage.Thresholds()
    con = linkage.connect(threads=2)
    try:
        table, count = _records_table(con)
        if count < 2:
            raise InvalidInput(
                "At least two source records are needed before a linkage model can be trained."
            )
        # Numbered from one in arrival order, so the same records train the same model whatever
        # their database ids (PostgreSQL never reuses a sequence's numbers).
        renumbered = "select * replace (row_number() over (order by unique_id) as unique_id) from "
        con.execute(f"create or replace table iom_training as {renumbered}{table}")
        report = linkage.train(con, "iom_training", seed=seed, u_max_pairs=u_max_pairs, progress=progress)
    finally:
        con.close()
    with transaction.atomic():
        LinkageModel.objects.filter(is_active=True).update(is_active=False)
        return LinkageModel.objects.create(
            trained_by=by,
            splink_version=version("splink"),
            model=report.model,
            records_trained_on=report.records,
            training_seconds=report.seconds,
            training_steps=report.steps,
            lower_threshold=thresholds.lower,
            upper_threshold=thresholds.upper,
        )


def _must_link_pairs() -> list[tuple[int, int]]:
    """Records already one person, and pairs a reviewer ruled the same: linking keeps them together."""
    pairs = []
    first_of: dict[Any, int] = {}
    for record_id, person_id in (
        SourceRecord.objects.filter(person__isnull=False).values_list("pk", "person_id").order_by("pk")
    ):
        if person_id in first_of:
            pairs.append((first_of[person_id], record_id))
        else:
            first_of[person_id] = record_id
    pairs += list(
        MatchDecision.objects.filter(superseded_at__isnull=True, outcome=Outcome.SAME).values_list(
            "record_a", "record_b"
        )
    )
    return pairs


def _cannot_link_pairs() -> list[tuple[int, int]]:
    return list(
        MatchDecision.objects.filter(superseded_at__isnull=True, outcome=Outcome.DIFFERENT).values_list(
            "record_a", "record_b"
        )
    )
