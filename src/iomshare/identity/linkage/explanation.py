"""A trained model and a pair's weights, in words a reviewer and an administrator can read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from iomshare.identity.comparisons import DESCRIPTIONS


@dataclass(frozen=True)
class Evidence:
    """One comparison's contribution to a match weight, in words a reviewer can weigh."""

    comparison: str
    finding: str
    weight: float

    @property
    def strength(self) -> str:
        size = abs(self.weight)
        if size < 0.5:
            return "no real evidence either way"
        kind = "for" if self.weight > 0 else "against"
        if size >= 6:
            return f"strong evidence {kind} a match"
        if size >= 2:
            return f"moderate evidence {kind} a match"
        return f"weak evidence {kind} a match"

    @property
    def sentence(self) -> str:
        return f"{self.finding}: {self.strength} ({self.weight:+.1f})"


def explain(model: dict[str, Any], weights: dict[str, float]) -> list[Evidence]:
    """Turn a pair's per-comparison match weights (the mw_ columns) into plain-words evidence.

    Splink reports each comparison's weight; the level it came from is the one whose trained
    weight it equals, which gives the words ("Dates of birth match exactly"). Strongest first.
    """
    evidence = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        weight = weights.get(f"mw_{name}")
        if weight is None:
            continue
        description = DESCRIPTIONS.get(name, comparison.get("comparison_description", name))
        # A level training never reached (no m or u) has no weight: it cannot be the one that scored.
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level") and level.get("m_probability") and level.get("u_probability")
        ]
        scored = [(abs(_level_weight(level) - weight), level) for level in levels]
        distance, level = min(scored, key=lambda item: item[0]) if scored else (1.0, None)
        if level is None or (weight == 0 and distance > 1e-6):
            evidence.append(Evidence(description, _null_label(comparison), 0.0))
        else:
            evidence.append(Evidence(description, level.get("label_for_charts", ""), float(weight)))
    return sorted(evidence, key=lambda e: -abs(e.weight))


def _level_weight(level: dict[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    return math.log2(m / u) if m and u else 0.0


def _null_label(comparison: dict[str, Any]) -> str:
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            label = level.get("label_for_charts", "")
            return label[0].upper() + label[1:] if label else "Missing from one record"
    return "Missing from one record"


def prior_weight(model: dict[str, Any]) -> float:
    p = model.get("probability_two_random_records_match", 1e-5)
    return math.log2(p / (1 - p))


def model_summary(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Each comparison level with its m, u and weight: what the admin page shows of a trained model."""
    rows = []
    for comparison in model.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            rows.append(
                {
                    "comparison": comparison.get(
                        "comparison_description", comparison.get("output_column_name")
                    ),
                    "level": level.get("label_for_charts", level.get("sql_condition")),
                    "m": m,
                    "u": u,
                    "weight": math.log2(m / u) if m and u else None,
                }
            )
    return rows
