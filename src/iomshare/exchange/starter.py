"""The demo agencies' import profiles, kept importable at their old path: they live in
`iomshare.demo.import_profiles`."""

from iomshare.demo.import_profiles import DEMO_IMPORT_PROFILES, load_demo_import_profiles

__all__ = ["DEMO_IMPORT_PROFILES", "load_demo_import_profiles"]
