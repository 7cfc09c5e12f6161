"""The demo agencies' import profiles (moved from exchange.starter): one per file type, so the demo can import an extract of each.

Profiles hang off agencies, so the demo loader creates them (`load_demo_import_profiles`) once the
agencies exist, after `demo.local_terms.load_demo_local_terms` has mapped the agencies' codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from iomshare.exchange.models import FileType, ImportProfile
from iomshare.forms.models import FormDefinition
from iomshare.partnership.models import Agency
from iomshare.people.models import IdentifierScheme
from iomshare.records.models import Category, Sensitivity

DEMO_IMPORT_PROFILES: list[dict[str, Any]] = [
    {
        "name": "probation-contacts",
        "title": "Probation case system: contacts (CSV)",
        "agency": "probation",
        "file_type": FileType.CSV,
        "key_column": "CONTACT_ID",
        "person_column": "CRN",
        "person_scheme": IdentifierScheme.LOCAL,
        "form": "contact_record",
        "columns": {
            "CONTACT_DATE": "answers.contact_date",
            "CONTACT_TYPE": "answers.contact_type",
            "OUTCOME": "answers.outcome",
            "NOTES": "answers.notes",
        },
        "date_format": "%d/%m/%Y",
    },
    {
        "name": "health-interventions",
        "title": "Recovery service: treatment episodes (JSON)",
        "agency": "health",
        "file_type": FileType.JSON,
        "key_column": "episode_id",
        "person_column": "nhs_number",
        "person_scheme": IdentifierScheme.NHS,
        "form": "intervention_record",
        "sensitivity": Sensitivity.OFFICIAL_SENSITIVE,
        "columns": {
            "treatment": "answers.intervention_type",
            "pathway": "answers.pathway",
            "provider": "answers.provider",
            "started": "answers.start_date",
            "ended": "answers.end_date",
            "sessions": "answers.sessions_attended",
        },
    },
    {
        "name": "council-housing",
        "title": "Housing options: tenancies (Excel)",
        "agency": "council",
        "file_type": FileType.XLSX,
        "key_column": "Tenancy ref",
        "person_column": "Housing ID",
        "person_scheme": IdentifierScheme.LOCAL,
        "category": "accommodation",
        "columns": {
            "Summary": "summary",
            "Notes": "details",
            "Start date": "valid_from",
            "End date": "valid_to",
        },
    },
]


def load_demo_import_profiles(agencies: Iterable[Agency] | None = None) -> list[ImportProfile]:
    """Create (or refresh) the demo import profiles for whichever demo agencies exist."""
    by_code = {agency.code: agency for agency in (agencies if agencies is not None else Agency.objects.all())}
    profiles = []
    for spec in DEMO_IMPORT_PROFILES:
        agency = by_code.get(spec["agency"])
        if agency is None:
            continue
        form = (
            FormDefinition.objects.filter(code=spec["form"]).order_by("-version").first()
            if "form" in spec
            else None
        )
        category = Category.objects.get(code=spec["category"]) if "category" in spec else None
        profile, _ = ImportProfile.objects.update_or_create(
            name=spec["name"],
            defaults={
                "title": spec["title"],
                "agency": agency,
                "file_type": spec["file_type"],
                "key_column": spec["key_column"],
                "person_column": spec["person_column"],
                "person_scheme": spec["person_scheme"],
                "form": form,
                "category": category,
                "sensitivity": spec.get("sensitivity", Sensitivity.OFFICIAL),
                "columns": spec["columns"],
                "date_format": spec.get("date_format", "%Y-%m-%d"),
            },
        )
        profiles.append(profile)
    return profiles
