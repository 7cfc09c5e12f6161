"""The YAML form: round trips, every problem reported with line and field, nothing written on error."""

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from iomshare.demo.protocols import demo_files
from iomshare.protocols import services, yaml_format
from iomshare.protocols.models import Protocol
from iomshare.protocols.selectors import protocol_page
from tests.factories import AgencyFactory, ClauseDocumentFactory, ProtocolDocumentFactory, active_protocol

pytestmark = pytest.mark.django_db


def problems_of(text: str) -> list[yaml_format.FileProblem]:
    with pytest.raises(yaml_format.ProtocolFileInvalid) as caught:
        yaml_format.read_protocol(text)
    return caught.value.problems


def as_yaml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False)


def test_export_then_import_gives_the_same_protocol(police, probation, charity):
    document = ProtocolDocumentFactory(
        parties=["police", "probation", "charity"],
        ends_on=timezone.localdate() + dt.timedelta(days=400),
        clauses=[
            ClauseDocumentFactory(
                categories=["offending", "accommodation"],
                max_sensitivity="OFFICIAL-SENSITIVE",
                recipients=["probation"],
                recipient_roles=["practitioner", "ig_lead"],
                conditions={
                    "training": ["information_sharing", "data_protection"],
                    "volunteers_may_receive": False,
                    "minimum_assurance": "cyber_essentials_plus",
                    "consent_needed": True,
                },
                may_disclose_existence=False,
                redact=["accommodation.address"],
                explanation="Why:\nthe offender manager needs it.",
            ),
            ClauseDocumentFactory(
                shared_by="probation",
                categories=["ete"],
                recipients=["charity"],
                recipient_roles=[],
                conditions={"training": ["volunteer_confidentiality"], "volunteers_may_receive": True},
            ),
        ],
    )
    document["agreement"]["security"] = "A long line about security. " * 8
    original = active_protocol(document)
    exported = yaml_format.dump_protocol(protocol_page(original.pk))
    reimported = services.draft_protocol(yaml_format.read_protocol(exported), by=None)
    assert reimported.reference == original.reference
    assert reimported.version == 2
    again = yaml_format.protocol_data(protocol_page(reimported.pk))
    first = yaml_format.protocol_data(protocol_page(original.pk))
    assert {k: v for k, v in again.items() if k not in {"version", "status"}} == {
        k: v for k, v in first.items() if k not in {"version", "status"}
    }
    assert first["clauses"][0]["redact"] == ["accommodation.address"]
    assert first["agreement"]["security"] == document["agreement"]["security"].strip()


def test_every_demo_protocol_file_is_valid_for_the_demo_partnership(db):
    for code in ["police", "probation", "prison", "council", "health", "charity"]:
        AgencyFactory(code=code, name=code.title())
    files = demo_files()
    assert len(files) >= 4
    for name, text in files:
        data, lines = yaml_format.parse(text)
        data["review_on"] = timezone.localdate() + dt.timedelta(days=30)
        spec = yaml_format.validate(data, lines)
        assert spec.clauses, name
    volunteering = [yaml_format.parse(text)[0] for _, text in files if "volunteering" in text]
    assert any(
        clause["conditions"].get("volunteers_may_receive")
        for doc in volunteering
        for clause in doc["clauses"]
    )


def test_not_yaml_at_all_names_the_line(db):
    (problem,) = problems_of("title: [unclosed\nowner: police\n")
    assert problem.line == 2
    assert problem.message.startswith("This is not valid YAML")


def test_an_empty_file_is_refused(db):
    (problem,) = problems_of("")
    assert "empty" in problem.message


def test_a_duplicate_key_is_refused_with_its_line(police, probation):
    text = as_yaml(ProtocolDocumentFactory()) + "title: Again\n"
    (problem,) = problems_of(text)
    assert problem.field == "title"
    assert problem.line == len(text.splitlines())


def test_every_problem_is_listed_with_its_field_path_and_line(police, probation):
    document = ProtocolDocumentFactory(
        owner="ambulance",
        purposes=["risk_managment"],
        clauses=[
            ClauseDocumentFactory(),
            ClauseDocumentFactory(
                categories=["offending", "horoscopes"],
                max_sensitivity="SECRET",
                recipient_roles=["volunteer"],
                conditions={"training": [], "volunteers_may_receive": True, "minimum_assurance": "none"},
                redact=["health.diagnosis"],
                colour="blue",
            ),
        ],
    )
    del document["agreement"]["security"]
    text = as_yaml(document)
    problems = {p.field: p for p in problems_of(text)}
    lines = text.splitlines()
    assert "ambulance" in problems["owner"].message
    assert "did you mean 'risk_management'" in problems["purposes[1]"].message
    assert "Enter the security" in problems["agreement.security"].message
    assert "'horoscopes' is not a known category" in problems["clauses[2].categories[2]"].message
    assert "OFFICIAL or OFFICIAL-SENSITIVE" in problems["clauses[2].max_sensitivity"].message
    assert "volunteers_may_receive" in problems["clauses[2].recipient_roles"].message
    assert "must require training" in problems["clauses[2].conditions.training"].message
    assert "never none" in problems["clauses[2].conditions.minimum_assurance"].message
    assert "must name a category of this clause" in problems["clauses[2].redact[1]"].message
    assert "'colour' is not a field" in problems["clauses[2].colour"].message
    assert "horoscopes" in lines[problems["clauses[2].categories[2]"].line - 1]
    assert "colour" in lines[problems["clauses[2].colour"].line - 1]


def test_parties_and_recipients_must_make_sense(police, probation):
    document = ProtocolDocumentFactory(
        clauses=[ClauseDocumentFactory(shared_by="council"), ClauseDocumentFactory(recipients=["police"])]
    )
    problems = {p.field: p.message for p in problems_of(as_yaml(document))}
    assert "must be one of the parties" in problems["clauses[1].shared_by"]
    assert "cannot also receive" in problems["clauses[2].recipients"]


def test_dates_must_be_real_and_in_the_future(police, probation):
    document = ProtocolDocumentFactory(
        review_on=timezone.localdate() - dt.timedelta(days=1), ends_on="31/12/2030"
    )
    problems = {p.field: p.message for p in problems_of(as_yaml(document))}
    assert "must be in the future" in problems["review_on"]
    assert "must be a date" in problems["ends_on"]


def test_a_bad_file_changes_nothing(police, probation):
    existing = active_protocol()
    document = ProtocolDocumentFactory(reference=existing.reference, title="", clauses=[])
    with pytest.raises(yaml_format.ProtocolFileInvalid):
        services.draft_protocol(yaml_format.read_protocol(as_yaml(document)), by=None)
    assert list(Protocol.objects.values_list("reference", "version", "status")) == [
        (existing.reference, 1, "active")
    ]


def test_importing_again_replaces_the_draft_and_withdraws_its_approvals(police, probation):
    document = ProtocolDocumentFactory()
    draft = services.draft_protocol(yaml_format.validate(document), by=None)
    from tests.factories import StaffMemberFactory

    services.approve_protocol(draft, by=StaffMemberFactory(agency=police, role="ig_lead"))
    document["title"] = "Renamed"
    again = services.draft_protocol(yaml_format.validate(document), by=None)
    assert again.pk == draft.pk and again.title == "Renamed"
    assert not again.approvals.exists()
