"""Identity fixtures: the partnership's six agencies, a reviewer, and one small trained model.

The model is trained once per test session on synthetic records (a few seconds) and saved as a
LinkageModel row wherever a test needs one, so tests link without retraining.
"""

from __future__ import annotations

import pytest

from iomshare.demo.source_records import generate
from iomshare.identity import linkage, services
from iomshare.identity.models import LinkageModel, SourceRecord
from iomshare.partnership.models import Role
from tests.factories import AgencyFactory, StaffMemberFactory

AGENCY_KINDS = {
    "police": "police",
    "probation": "probation",
    "prison": "prison",
    "council": "council",
    "health": "health",
    "charity": "vcs",
}


def raw_rows(records):
    return [
        {
            "unique_id": i,
            "given_name": r.given_name,
            "family_name": r.family_name,
            "date_of_birth": r.date_of_birth,
            "sex": r.sex,
            "postcode": r.postcode,
            **{scheme: r.identifiers.get(scheme) for scheme in linkage.IDENTIFIER_SCHEMES},
        }
        for i, r in enumerate(records)
    ]


@pytest.fixture(scope="session")
def trained_model() -> dict:
    con = linkage.connect(threads=2)
    table = linkage.prepare(con, linkage.raw_table(raw_rows(generate(3000, seed=99))))
    report = linkage.train(con, table, u_max_pairs=3e5, em_max_pairs=3e5)
    con.close()
    return report.model


@pytest.fixture
def agencies(db):
    return {
        code: AgencyFactory(
            code=code, name=f"Northshire {code.title()}", kind=kind, is_statutory=kind != "vcs"
        )
        for code, kind in AGENCY_KINDS.items()
    }


@pytest.fixture
def reviewer(agencies):
    return StaffMemberFactory(
        username="iglead",
        agency=agencies["probation"],
        role=Role.IG_LEAD,
        first_name="Imogen",
        last_name="Grey",
    )


@pytest.fixture
def police_lead(agencies):
    return StaffMemberFactory(username="police-ig", agency=agencies["police"], role=Role.IG_LEAD)


@pytest.fixture
def practitioner(agencies):
    return StaffMemberFactory(username="worker", agency=agencies["police"], role=Role.PRACTITIONER)


@pytest.fixture
def active_model(db, trained_model) -> LinkageModel:
    return LinkageModel.objects.create(
        splink_version="5",
        model=trained_model,
        records_trained_on=3000,
        training_seconds=1.0,
        training_steps=["fixture"],
        lower_threshold=linkage.DEFAULT_LOWER,
        upper_threshold=linkage.DEFAULT_UPPER,
    )


@pytest.fixture
def receive(agencies):
    """Receive a record for an agency without matching it (linking is what the test is about)."""

    def _receive(agency: str, key: str, **fields) -> SourceRecord:
        data = {"record_key": key, **fields}
        return services.receive_record(
            agency=agencies[agency], data=data, provenance="test", match=False
        ).record

    return _receive
