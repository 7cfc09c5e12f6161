"""Synthetic source records received as their agencies' extracts, for the demo, `iomshare link
--synthetic` and the benchmarks: they pass the same checks as a real agency's records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from iomshare.demo.source_records import AGENCY_REACH, iter_generate
from iomshare.errors import InvalidInput
from iomshare.identity.models import SourceRecord
from iomshare.identity.resolution import Progress, no_progress
from iomshare.identity.submissions import declared_schemes, name_keys, validate_submission
from iomshare.partnership.models import Agency


def load_synthetic_records(
    count: int, *, seed: int, provenance: str = "", progress: Progress = no_progress, batch_size: int = 2000
) -> tuple[int, int]:
    """Load `count` generated source records (synthetic, with realistic errors) for the partnership's
    agencies whose codes the generator uses; return (loaded, rejected)."""
    return receive_synthetic_records(
        iter_generate(count, seed=seed),
        provenance=provenance or f"synthetic generator, seed {seed}",
        suffix=f"-S{seed}",
        expected=count,
        progress=progress,
        batch_size=batch_size,
    )


def receive_synthetic_records(
    generated: Iterable[Any],
    *,
    provenance: str,
    suffix: str = "",
    expected: int = 0,
    progress: Progress = no_progress,
    batch_size: int = 2000,
) -> tuple[int, int]:
    """Receive generated records (`demo.source_records.GeneratedRecord`) as their agencies' extracts;
    return (loaded, waiting).

    Every record passes the same checks as a real one: the few the generator makes too bare to
    match (no date of birth or last name) wait to be completed, as a real agency's would. A record key the
    agency has already sent gets `suffix`, so a second synthetic load adds records.
    """
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=list(AGENCY_REACH))}
    missing = sorted(set(AGENCY_REACH) - set(agencies))
    if missing:
        raise InvalidInput(
            "Synthetic records need the agencies " + ", ".join(missing) + ": load the demo partnership first."
        )
    today = timezone.localdate()
    schemes = {code: declared_schemes(agency) for code, agency in agencies.items()}  # once, not per record
    progress("Loading synthetic records", 0, expected)
    loaded = rejected = 0  # rejected: records waiting to be completed
    with transaction.atomic():
        taken = set(SourceRecord.objects.values_list("agency__code", "record_key"))
        batch: list[SourceRecord] = []
        for record in generated:
            submission = record.as_submission()
            if (record.agency, record.record_key) in taken:
                submission["record_key"] = f"{record.record_key}{suffix}"
            checked = validate_submission(submission, today=today, schemes=schemes[record.agency])
            rejected += bool(checked.waiting_reason)
            batch.append(
                SourceRecord(
                    agency=agencies[record.agency],
                    provenance=provenance,
                    warnings=checked.warnings,
                    waiting_reason=checked.waiting_reason,
                    **checked.fields,
                    **name_keys(checked.fields),
                )
            )
            if len(batch) >= batch_size:
                SourceRecord.objects.bulk_create(batch)
                loaded += len(batch)
                progress("Loading synthetic records", loaded, expected)
                batch = []
        SourceRecord.objects.bulk_create(batch)
        loaded += len(batch)
    progress("Loading synthetic records", expected, expected)
    return loaded, rejected
