"""The synthetic demo partnership: six Northshire agencies, their staff, a cohort and its records.

Everything is generated from a seed, so the same seed gives the same partnership; no real person's
data is ever used. `iomshare demo` loads it; tests load it at a small scale.
"""

from iomshare.demo.generator import (
    DEMO_PASSWORD,
    DemoAlreadyLoaded,
    DemoSummary,
    Scale,
    load_demo,
)
from iomshare.demo.reset import reset_demo

__all__ = ["DEMO_PASSWORD", "DemoAlreadyLoaded", "DemoSummary", "Scale", "load_demo", "reset_demo"]
