"""Training the linkage model by EM on the partnership's own records (no labelled data)."""

# SQL here is assembled from our own table names, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
from splink import DuckDBAPI, Linker, block_on

from iomshare.identity.comparisons import describe, settings

Progress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    return None


def _fill_unobserved_u(model: dict[str, Any], records: int) -> None:
    """A level random pairs never reached (two records sharing a CRO number) gets u of one in `records`.

    Random sampling cannot see agreements that rare; leaving u unset would silently drop the evidence.
    """
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("u_probability") is None:
                level["u_probability"] = 1 / max(records, 2)


def _deterministic_rules() -> list:
    return [
        block_on("pnc"),
        block_on("nhs"),
        block_on("nomis"),
        "l.given_name = r.given_name and l.family_name = r.family_name and l.dob = r.dob",
    ]


@dataclass
class TrainingReport:
    model: dict[str, Any]
    records: int
    seconds: float
    steps: list[str] = field(default_factory=list)


def train(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    seed: int = 1,
    u_max_pairs: float = 1e6,
    em_max_pairs: float = 2e6,
    progress: Progress = no_progress,
) -> TrainingReport:
    """Fit the model by EM on the partnership's own records: no labelled data needed.

    u from random pairs (almost all non-matches), the prior from deterministic identifier rules,
    then m by EM twice: blocked on date of birth (to learn names) and on names (to learn dates).
    """
    started = time.perf_counter()
    records = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    if records < 2:
        raise ValueError("At least two source records are needed to train a linkage model.")
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register(table), settings(), log_level=logging.ERROR)
    steps = []
    progress("Training", 0, 4)
    linker.training.estimate_probability_two_random_records_match(_deterministic_rules(), recall=0.75)
    steps.append("prior from deterministic identifier and exact name-and-date rules (recall 0.75)")
    progress("Training", 1, 4)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    steps.append(f"u by random sampling of up to {u_max_pairs:,.0f} pairs (seed {seed})")
    progress("Training", 1, 4)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), max_pairs=em_max_pairs, estimate_without_term_frequencies=True
    )
    steps.append("m by EM on pairs with the same date of birth")
    progress("Training", 1, 4)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("family_name", "given_canonical"),
        max_pairs=em_max_pairs,
        estimate_without_term_frequencies=True,
    )
    steps.append("m by EM on pairs with the same names")
    progress("Training", 1, 4)
    model = linker.misc.save_model_to_json()
    describe(model)
    _fill_unobserved_u(model, records)
    return TrainingReport(
        model=model, records=int(records), seconds=time.perf_counter() - started, steps=steps
    )
