"""CSV safety, kept importable at its old path: it lives in `iomshare.kit.csv_safety` now."""

from iomshare.kit.csv_safety import FORMULA_TRIGGERS, safe_cell, safe_row

__all__ = ["FORMULA_TRIGGERS", "safe_cell", "safe_row"]
