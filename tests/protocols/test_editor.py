"""The protocol editor: a new version from the one in force, changed in the browser, checked by the
YAML import's own validator, compared with the version in force, and approved by every party."""

import copy
import datetime as dt

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.errors import InvalidInput, NotPermitted
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.protocols import diff, editing, selectors, services, yaml_format
from iomshare.protocols.models import ChangeRequest, ProtocolStatus
from tests.factories import TEST_PASSWORD, StaffMemberFactory, active_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(police, probation, charity):
    return {
        agency.code: StaffMemberFactory(agency=agency, role=Role.IG_LEAD, username=f"{agency.code}.ig")
        for agency in (police, probation, charity)
    }


@pytest.fixture
def current(leads):
    return active_protocol()


@pytest.fixture
def draft(current, leads):
    return services.new_version(current, by=leads["police"])


def waiting_for(agency) -> int:
    return selectors.drafts_awaiting_approval(agency.pk).count()


def ledger_actions() -> list[str]:
    return list(LedgerEntry.objects.order_by("id").values_list("action", flat=True))


# --- starting a new version ------------------------------------------------------------------------


def test_a_new_version_asks_every_other_party_and_counts_on_their_hub(draft, leads, police, probation):
    assert draft.status == ProtocolStatus.DRAFT and draft.version == 2
    told = Notification.objects.filter(recipient=leads["probation"])
    assert told.count() == 1 and "waiting for your agency's approval" in told.get().message
    assert told.get().link == reverse("protocols:detail", args=[draft.pk])
    assert not Notification.objects.filter(recipient=leads["police"]).exists()
    assert not Notification.objects.filter(recipient=leads["charity"]).exists()  # not a party
    assert waiting_for(probation) == 1 and waiting_for(police) == 1
    assert Action.PROTOCOL_DRAFTED in ledger_actions()


# --- editing: who may, and what changes ------------------------------------------------------------


def with_charity_receiving(draft):
    document = editing.document_of(draft)
    document = editing.with_details(document, {"parties": ["charity", "police", "probation"]})
    clause = document["clauses"][0] | {"recipients": ["charity", "probation"]}
    return editing.with_clause(document, 1, clause)


def test_an_ig_lead_of_a_party_changes_a_clause_and_approvals_given_lapse(draft, leads):
    services.approve_protocol(draft, by=leads["probation"])
    Notification.objects.all().delete()
    edited = editing.edit_draft(
        draft, with_charity_receiving(draft), by=leads["police"], change="clause 1 changed"
    )
    assert edited.pk == draft.pk
    clause = edited.clauses.get(number=1)
    assert {a.code for a in clause.recipient_agencies.all()} == {"charity", "probation"}
    assert not edited.approvals.exists()
    assert Notification.objects.filter(recipient=leads["probation"], message__contains="changed").exists()
    assert ledger_actions()[-2:] == [Action.PROTOCOL_EDITED, Action.NOTIFICATION]


@pytest.mark.parametrize("who", ["practitioner", "charity_lead", "manager"])
def test_only_an_ig_lead_of_a_party_may_change_a_draft_and_a_refusal_changes_nothing(
    draft, leads, practitioner, police, who
):
    member = {
        "practitioner": practitioner,
        "charity_lead": leads["charity"],
        "manager": StaffMemberFactory(agency=police, role=Role.PARTNERSHIP_MANAGER),
    }[who]
    before = editing.document_of(draft)
    with pytest.raises(NotPermitted, match="information-governance lead of a party"):
        editing.edit_draft(draft, with_charity_receiving(draft), by=member, change="clause 1 changed")
    assert editing.document_of(draft) == before


def test_a_version_in_force_cannot_be_changed(current, leads):
    with pytest.raises(InvalidInput, match="Only a draft can be changed"):
        editing.edit_draft(current, editing.document_of(current), by=leads["police"], change="x")


def test_the_reference_cannot_be_changed(draft, leads):
    document = editing.document_of(draft) | {"reference": "another-protocol"}
    with pytest.raises(InvalidInput, match="reference"):
        editing.edit_draft(draft, document, by=leads["police"], change="x")


def test_a_lead_cannot_take_their_own_agency_out_of_the_parties(draft, leads):
    document = editing.with_details(editing.document_of(draft), {"parties": ["charity", "police"]})
    before = editing.document_of(draft)
    with pytest.raises(NotPermitted, match="their agency is party to"):
        editing.edit_draft(draft, document, by=leads["probation"], change="x")
    assert editing.document_of(draft) == before


# --- one validator: the editor and the YAML import refuse the same protocols ------------------------


def _past(document):
    document["review_on"] = timezone.localdate() - dt.timedelta(days=1)


BAD = {
    "a clause shares with its own agency": (lambda d: d["clauses"][0].update(recipients=["police"])),
    "volunteers without training": (
        lambda d: d["clauses"][0]["conditions"].update(volunteers_may_receive=True, training=[])
    ),
    "an unknown category": (lambda d: d["clauses"][0].update(categories=["offending", "horoscopes"])),
    "a sharer that is not a party": (lambda d: d["clauses"][0].update(shared_by="charity")),
    "nobody receives": (lambda d: d["clauses"][0].update(recipient_roles=[])),
    "one party only": (lambda d: d.update(parties=["police"])),
    "a review date in the past": _past,
    "no retention": (lambda d: d.update(retention_days=0)),
    "a redaction of another category": (lambda d: d["clauses"][0].update(redact=["health.diagnosis"])),
    "an owner that is not a party": (lambda d: d.update(owner="charity")),
    "no title": (lambda d: d.update(title="")),
    "no clauses": (lambda d: d.update(clauses=[])),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_editor_and_the_yaml_import_refuse_the_same_bad_protocol(draft, leads, case):
    document = editing.document_of(draft)
    BAD[case](document)
    with pytest.raises(yaml_format.ProtocolFileInvalid) as from_import:
        yaml_format.read_protocol(yaml.safe_dump(copy.deepcopy(document)))
    before = editing.document_of(draft)
    with pytest.raises(yaml_format.ProtocolFileInvalid) as from_editor:
        editing.edit_draft(draft, document, by=leads["police"], change="bad")
    assert [(p.field, p.message) for p in from_editor.value.problems] == [
        (p.field, p.message) for p in from_import.value.problems
    ]
    assert editing.document_of(draft) == before
    assert not LedgerEntry.objects.filter(action=Action.PROTOCOL_EDITED).exists()


def test_what_the_editor_writes_the_yaml_import_reads_back_the_same(draft, leads):
    edited = editing.edit_draft(draft, with_charity_receiving(draft), by=leads["police"], change="x")
    exported = yaml_format.dump_protocol(edited)
    spec = yaml_format.read_protocol(exported)
    assert spec.parties == ["charity", "police", "probation"]
    assert spec.clauses[0].recipients == ["charity", "probation"]


# --- asking for changes, approving -----------------------------------------------------------------


def test_asking_for_changes_tells_the_drafter_and_stops_counting_until_the_draft_changes(
    draft, leads, probation
):
    request = editing.ask_for_changes(draft, by=leads["probation"], comments="Clause 1: add the charity.")
    assert request.is_open and waiting_for(probation) == 0
    told = Notification.objects.get(recipient=leads["police"], message__contains="asked for changes")
    assert told.link == reverse("protocols:detail", args=[draft.pk])
    assert Action.PROTOCOL_CHANGES_ASKED in ledger_actions()
    editing.edit_draft(draft, with_charity_receiving(draft), by=leads["police"], change="clause 1 changed")
    request.refresh_from_db()
    assert not request.is_open and waiting_for(probation) == 1


@pytest.mark.parametrize("comments", ["", "   "])
def test_asking_for_changes_needs_comments_and_without_them_changes_nothing(draft, leads, comments):
    with pytest.raises(InvalidInput) as error:
        editing.ask_for_changes(draft, by=leads["probation"], comments=comments)
    assert "comments" in error.value.field_errors
    assert not ChangeRequest.objects.exists()


def test_only_a_party_lead_who_has_not_approved_may_ask_for_changes(draft, leads, practitioner):
    with pytest.raises(NotPermitted):
        editing.ask_for_changes(draft, by=practitioner, comments="No.")
    with pytest.raises(NotPermitted):
        editing.ask_for_changes(draft, by=leads["charity"], comments="No.")
    services.approve_protocol(draft, by=leads["probation"])
    with pytest.raises(InvalidInput, match="already approved"):
        editing.ask_for_changes(draft, by=leads["probation"], comments="No.")
    assert not ChangeRequest.objects.exists()


def test_the_draft_is_in_force_once_every_party_approves_and_each_step_is_on_the_ledger(
    draft, current, leads, police, probation
):
    services.approve_protocol(draft, by=leads["probation"])
    assert waiting_for(probation) == 0 and waiting_for(police) == 1
    draft.refresh_from_db()
    assert draft.status == ProtocolStatus.DRAFT
    services.approve_protocol(draft, by=leads["police"])
    draft.refresh_from_db()
    current.refresh_from_db()
    assert draft.status == ProtocolStatus.ACTIVE and current.status == ProtocolStatus.SUPERSEDED
    assert waiting_for(police) == 0
    actions = ledger_actions()
    assert actions.count(Action.PROTOCOL_APPROVED) == 2 + 2  # two for the version in force, two now
    assert actions[-1] == Action.PROTOCOL_IN_FORCE


# --- the readable difference -----------------------------------------------------------------------


def test_the_difference_names_each_change_in_plain_words(draft, current, leads):
    document = with_charity_receiving(draft)
    document["clauses"][0]["max_sensitivity"] = "OFFICIAL-SENSITIVE"
    document["clauses"].append(copy.deepcopy(document["clauses"][0]) | {"categories": ["accommodation"]})
    edited = editing.edit_draft(draft, document, by=leads["police"], change="x")
    lines = [(d.where, d.text) for d in diff.differences(current, edited)]
    assert ("The protocol", "Parties now include Second Chance Mentoring") in lines
    assert any(
        where == "Clause 1"
        and text.startswith("Recipients now include")
        and "Second Chance Mentoring" in text
        for where, text in lines
    )
    assert ("Clause 1", "Shared up to OFFICIAL-SENSITIVE now (was OFFICIAL)") in lines
    assert any(w == "Clause 2" and t.startswith("New: ") for w, t in lines)
    assert not any("charity" in t or "_" in t for _, t in lines)  # names, never codes


def test_an_unchanged_draft_shows_no_difference(draft, current):
    assert diff.differences(current, draft) == []


def test_a_removed_clause_is_named(draft, current, leads):
    document = editing.document_of(draft)
    document["clauses"].append(copy.deepcopy(document["clauses"][0]) | {"categories": ["accommodation"]})
    editing.edit_draft(draft, document, by=leads["police"], change="x")
    services.approve_protocol(draft, by=leads["probation"])
    services.approve_protocol(draft, by=leads["police"])
    newer = services.new_version(draft, by=leads["police"])
    editing.edit_draft(
        newer, editing.without_clause(editing.document_of(newer), 2), by=leads["police"], change="x"
    )
    draft.refresh_from_db()
    lines = [(d.where, d.text) for d in diff.differences(draft, newer)]
    assert len(lines) == 1 and lines[0][0] == "Clause 2" and lines[0][1].startswith("Removed: ")


# --- the pages -------------------------------------------------------------------------------------


def signed_in(client, member):
    assert client.login(username=member.username, password=TEST_PASSWORD)
    return client


def clause_post(draft, **changes):
    clause = editing.document_of(draft)["clauses"][0]
    data = {
        "shared_by": clause["shared_by"],
        "categories": clause["categories"],
        "max_sensitivity": clause["max_sensitivity"],
        "recipients": clause.get("recipients", []),
        "recipient_roles": clause["recipient_roles"],
        "training": clause["conditions"]["training"],
        "volunteers_may_receive": "no",
        "minimum_assurance": clause["conditions"]["minimum_assurance"],
        "consent_needed": "no",
        "may_disclose_existence": "yes",
        "redact": "",
        "explanation": "",
    }
    return data | changes


def test_a_bad_clause_gets_an_error_summary_linked_to_the_field_and_changes_nothing(client, draft, leads):
    signed_in(client, leads["police"])
    before = editing.document_of(draft)
    url = reverse("protocols:edit-clause", args=[draft.pk, 1])
    response = client.post(url, clause_post(draft, recipients=["police"]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#recipients"' in page
    assert "Northshire Police shares under this clause, so cannot also receive" in page  # a name, not a code
    assert "<title>Error:" in page
    assert editing.document_of(draft) == before


def test_a_good_clause_is_saved_and_the_changes_page_shows_the_difference_and_the_simulation(
    client, draft, leads
):
    signed_in(client, leads["police"])
    url = reverse("protocols:edit-clause", args=[draft.pk, 1])
    response = client.post(url, clause_post(draft, max_sensitivity="OFFICIAL-SENSITIVE"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "protocols:changes", args=[draft.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Shared up to OFFICIAL-SENSITIVE now (was OFFICIAL)" in page
    assert "Who would see what" in page


def test_details_are_changed_through_the_same_validator(client, draft, leads):
    signed_in(client, leads["police"])
    url = reverse("protocols:edit-details", args=[draft.pk])
    assert client.get(url).status_code == 200
    past = timezone.localdate() - dt.timedelta(days=3)
    data = {
        "title": "Renamed",
        "summary": "Why.",
        "parties": ["police", "probation"],
        "owner": "police",
        "purposes": ["risk_management"],
        "legal_gateways": ["cda-1998-s115"],
        "review_on-day": past.day,
        "review_on-month": past.month,
        "review_on-year": past.year,
        "retention_days": "365",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and 'href="#review_on"' in response.content.decode()
    future = timezone.localdate() + dt.timedelta(days=30)
    data |= {"review_on-day": future.day, "review_on-month": future.month, "review_on-year": future.year}
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Renamed" and draft.review_on == future


@pytest.mark.parametrize(
    "name", ["protocols:edit-details", "protocols:add-clause", "protocols:ask-for-changes"]
)
def test_the_editor_pages_refuse_a_practitioner(client, draft, practitioner, name):
    signed_in(client, practitioner)
    assert client.get(reverse(name, args=[draft.pk])).status_code == 403


def test_the_editor_pages_of_a_version_in_force_are_not_found(client, current, leads):
    signed_in(client, leads["police"])
    assert client.get(reverse("protocols:edit-clause", args=[current.pk, 1])).status_code == 404
    assert client.get(reverse("protocols:changes", args=[current.pk])).status_code == 404


def test_the_hub_counts_drafts_waiting_for_the_agency(client, draft, leads):
    signed_in(client, leads["probation"])
    page = client.get(reverse("web:governance")).content.decode()
    assert 'data-testid="protocol-drafts">1<' in page
