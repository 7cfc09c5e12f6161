"""The demo partnership's protocols, kept importable at their old path: they live in `iomshare.demo.protocols`."""

from iomshare.demo.protocols import REVIEW_AFTER_DAYS, demo_files, load_demo_protocols

__all__ = ["REVIEW_AFTER_DAYS", "demo_files", "load_demo_protocols"]
