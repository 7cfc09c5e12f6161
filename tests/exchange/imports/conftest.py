"""A partnership ready to import: demo agencies' codes mapped, their import profiles, and people
known to probation by CRN and to health by NHS number."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone

from iomshare.demo.import_profiles import load_demo_import_profiles
from iomshare.demo.local_terms import load_demo_local_terms
from iomshare.exchange.models import ImportProfile
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, AgencyIdentifierFactory, PersonFactory, StaffMemberFactory

CONTACT_HEADER = ["CONTACT_ID", "CRN", "CONTACT_DATE", "CONTACT_TYPE", "OUTCOME", "NOTES"]
CRNS = ["X100001", "X100002", "X100003"]


def nhs_number(stem: str) -> str:
    """A valid NHS number starting with the eight digits of `stem` (the last two make it check)."""
    for last in range(10):
        candidate = stem[:8] + str(last)
        total = sum(int(d) * (10 - i) for i, d in enumerate(candidate))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return candidate + str(check)
    raise ValueError(stem)


@pytest.fixture(autouse=True)
def imports_in_this_process(settings, tmp_path):
    settings.IOMSHARE_IMPORTS_IN_BACKGROUND = False
    settings.IOMSHARE_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def partnership(police, probation):
    council = AgencyFactory(code="council", name="Northshire Council Housing Options", kind="council")
    health = AgencyFactory(code="health", name="Northshire Recovery Service", kind="health")
    charity = AgencyFactory(code="charity", name="Second Chance Mentoring", kind="vcs", is_statutory=False)
    agencies = {
        "police": police,
        "probation": probation,
        "council": council,
        "health": health,
        "charity": charity,
    }
    load_demo_local_terms()
    load_demo_import_profiles()
    return agencies


@pytest.fixture
def people(partnership):
    found = []
    for index, crn in enumerate(CRNS):
        person = PersonFactory(given_name="Sam", family_name=f"Example{index}")
        AgencyIdentifierFactory(person=person, agency=partnership["probation"], scheme="local", value=crn)
        AgencyIdentifierFactory(
            person=person, agency=partnership["health"], scheme="nhs", value=nhs_number(f"9434765{index}")
        )
        AgencyIdentifierFactory(
            person=person, agency=partnership["council"], scheme="local", value=f"HOU-000000{index}"
        )
        found.append(person)
    return found


@pytest.fixture
def probation_ig(partnership):
    return StaffMemberFactory(username="probation.ig", agency=partnership["probation"], role=Role.IG_LEAD)


@pytest.fixture
def contacts_profile(partnership):
    return ImportProfile.objects.get(name="probation-contacts")


def contact_row(key, crn=CRNS[0], day=None, kind="HV", outcome="ATTC", notes="Seen at home"):
    day = day or timezone.localdate().strftime("%d/%m/%Y")
    return [key, crn, day, kind, outcome, notes]


def csv_bytes(rows, header=CONTACT_HEADER, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def write_file(tmp_path):
    def write(content: bytes | str, name: str = "extract.csv"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    return write


def good_contacts(count=3):
    return [contact_row(f"C{n}", crn=CRNS[n % len(CRNS)]) for n in range(1, count + 1)]


def episodes_json(records) -> bytes:
    return json.dumps(records).encode()
