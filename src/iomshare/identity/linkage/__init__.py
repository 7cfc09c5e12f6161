"""Probabilistic linkage of agencies' source records with Splink (DuckDB embedded, Spark past one machine).

One place defines how records are cleaned, compared and blocked, so training, linking the whole
partnership, matching one new record and the benchmarks all use the same model. Nothing here touches
Django: it takes and returns Arrow tables and plain Python values, so it can run on a million
records from a Parquet file as readily as on the partnership's database.

The model itself (comparisons, blocking rules, the cleaning SQL) is defined in
`identity.comparisons`; this package cleans (`cleaning`), trains (`training`), links and matches
(`linking`, with its thresholds, and `conflicts` and `frequencies`), explains (`explanation`) and scales out (`spark`).
Callers import from here: `from iomshare.identity import linkage; linkage.link(...)`.
"""

from iomshare.identity.comparisons import IDENTIFIER_LABELS, IDENTIFIER_SCHEMES, RAW_SCHEMA
from iomshare.identity.linkage.cleaning import (
    canonical_given,
    clean_family,
    clean_given,
    connect,
    prepare,
    raw_table,
)
from iomshare.identity.linkage.conflicts import CONFLICTING_PAIRS_SQL, Conflict, find_conflicting_pairs
from iomshare.identity.linkage.explanation import Evidence, explain, model_summary, prior_weight
from iomshare.identity.linkage.frequencies import (
    TF_PSEUDO_RECORDS,
    register_term_frequencies,
    smoothed_frequency,
)
from iomshare.identity.linkage.linking import (
    DEFAULT_LOWER,
    DEFAULT_UPPER,
    LinkResult,
    Thresholds,
    link,
    linker_for,
    match_new,
)
from iomshare.identity.linkage.spark import model_for_dialect, spark_session
from iomshare.identity.linkage.training import Progress, TrainingReport, train

__all__ = [
    "CONFLICTING_PAIRS_SQL",
    "DEFAULT_LOWER",
    "DEFAULT_UPPER",
    "IDENTIFIER_LABELS",
    "IDENTIFIER_SCHEMES",
    "RAW_SCHEMA",
    "TF_PSEUDO_RECORDS",
    "Conflict",
    "Evidence",
    "LinkResult",
    "Progress",
    "Thresholds",
    "TrainingReport",
    "canonical_given",
    "clean_family",
    "clean_given",
    "connect",
    "explain",
    "find_conflicting_pairs",
    "link",
    "linker_for",
    "match_new",
    "model_for_dialect",
    "model_summary",
    "prepare",
    "prior_weight",
    "raw_table",
    "register_term_frequencies",
    "smoothed_frequency",
    "spark_session",
    "train",
]
