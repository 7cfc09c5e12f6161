"""Protocol pages and the `iomshare protocol` command."""

import io

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from iomshare.partnership.models import Role
from iomshare.protocols import services, yaml_format
from iomshare.protocols.models import Protocol, ProtocolStatus
from iomshare.records.models import Category
from tests.factories import (
    TEST_PASSWORD,
    ClauseDocumentFactory,
    InformationItemFactory,
    ProtocolDocumentFactory,
    StaffMemberFactory,
    active_protocol,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_lead(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def probation_lead(probation):
    return StaffMemberFactory(username="probation.ig", agency=probation, role=Role.IG_LEAD)


def signed_in(client, member):
    assert client.login(username=member.username, password=TEST_PASSWORD)
    return client


def import_text(client, text):
    return client.post(reverse("protocols:import"), {"text": text})


def test_the_protocol_page_reads_in_plain_words(client, practitioner, police_lead, probation_lead):
    protocol = active_protocol(
        ProtocolDocumentFactory(
            clauses=[ClauseDocumentFactory(categories=["offending"], max_sensitivity="OFFICIAL-SENSITIVE")]
        )
    )
    page = signed_in(client, practitioner).get(reverse("protocols:detail", args=[protocol.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "Northshire Police shares offending history (up to OFFICIAL-SENSITIVE) with practitioners at "
        "Probation Service North, for risk management." in html
    )
    assert "Recipients must have completed ‘Information sharing in IOM’, in date." in html
    assert "Crime and Disorder Act 1998, section 115" in html
    assert "Approved by" in html
    assert "Approve for" not in html
    assert "<script>" not in html and "style=" not in html


def test_an_ig_lead_approves_from_the_page_and_the_last_approval_activates(
    client, police_lead, probation_lead
):
    import_page = import_text(signed_in(client, police_lead), yaml.safe_dump(ProtocolDocumentFactory()))
    protocol = Protocol.objects.get()
    assert import_page.status_code == 302 and protocol.status == ProtocolStatus.DRAFT
    detail = client.get(reverse("protocols:detail", args=[protocol.pk])).content.decode()
    assert "Approve for Northshire Police" in detail
    client.post(reverse("protocols:action", args=[protocol.pk, "approve"]))
    client.logout()
    signed_in(client, probation_lead)
    response = client.post(reverse("protocols:action", args=[protocol.pk, "approve"]), follow=True)
    assert "the protocol is now active" in response.content.decode()
    protocol.refresh_from_db()
    assert protocol.status == ProtocolStatus.ACTIVE


def test_a_practitioner_cannot_approve(client, practitioner, police, probation):
    draft = services.draft_protocol(yaml_format.validate(ProtocolDocumentFactory()), by=None)
    response = signed_in(client, practitioner).post(reverse("protocols:action", args=[draft.pk, "approve"]))
    assert response.status_code == 403
    assert "Only an information-governance lead can approve" in response.content.decode()
    assert not draft.approvals.exists()


def test_the_import_page_lists_every_problem_and_changes_nothing(client, police_lead):
    document = ProtocolDocumentFactory(
        owner="nobody", clauses=[ClauseDocumentFactory(categories=["weather"])]
    )
    response = import_text(signed_in(client, police_lead), yaml.safe_dump(document, sort_keys=False))
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "<code>owner</code>" in html and "<code>clauses[1].categories[1]</code>" in html
    assert "&#x27;weather&#x27; is not a known category" in html
    assert not Protocol.objects.exists()


def test_a_suspension_from_the_page_needs_a_reason(client, police_lead, probation_lead):
    protocol = active_protocol()
    signed_in(client, probation_lead)
    response = client.post(reverse("protocols:action", args=[protocol.pk, "suspend"]), {"reason": ""})
    assert response.status_code == 422
    assert "Enter the reason" in response.content.decode()
    client.post(reverse("protocols:action", args=[protocol.pk, "suspend"]), {"reason": "Breach"})
    protocol.refresh_from_db()
    assert (protocol.status, protocol.status_reason) == (ProtocolStatus.SUSPENDED, "Breach")


def test_export_downloads_the_yaml_file(client, practitioner, police_lead, probation_lead):
    protocol = active_protocol()
    response = signed_in(client, practitioner).get(reverse("protocols:export", args=[protocol.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{protocol.reference}-v1.yaml"'
    data = yaml.safe_load(response.content)
    assert data["reference"] == protocol.reference and data["clauses"][0]["shared_by"] == "police"


def test_list_print_and_version_history(client, practitioner, police_lead, probation_lead):
    protocol = active_protocol()
    signed_in(client, practitioner)
    assert protocol.title in client.get(reverse("protocols:list")).content.decode()
    printed = client.get(reverse("protocols:print", args=[protocol.pk])).content.decode()
    # No form in the printed content (the session timeout dialog, closed and never printed, aside).
    content = printed.split("</header>")[1].split("<dialog")[0]
    assert "Northshire Police: approved by" in printed and "<form" not in content
    detail = client.get(reverse("protocols:detail", args=[protocol.pk])).content.decode()
    assert "Version history" in detail and "1 (this page)" in detail


def test_the_simulator_counts_items_a_draft_would_open(client, police_lead, probation_lead, person, police):
    first = active_protocol()
    InformationItemFactory.create_batch(
        3, person=person, holding_agency=police, category__code="intelligence"
    )
    draft = services.new_version(first, by=police_lead)
    clause = draft.clauses.get()
    clause.categories.add(Category.objects.get(code="intelligence"))
    response = signed_in(client, police_lead).get(reverse("protocols:simulate", args=[draft.pk]))
    rows = response.context["simulation"].changes
    gains = [c for c in rows if c.category == "Police intelligence" and c.role == "Practitioners"]
    assert len(gains) == 1
    assert (gains[0].before, gains[0].after, gains[0].items_now_visible) == ("Nothing", "OFFICIAL", 3)


def test_the_protocol_command_imports_exports_and_lists(tmp_path, police, probation):
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(ProtocolDocumentFactory(reference="from-the-shell")))
    out = io.StringIO()
    call_command("protocol", "import", str(good), stdout=out)
    assert "Imported from-the-shell as draft version 1" in out.getvalue()
    out = io.StringIO()
    call_command("protocol", "export", "from-the-shell", stdout=out)
    assert yaml.safe_load(out.getvalue())["reference"] == "from-the-shell"
    out = io.StringIO()
    call_command("protocol", "list", stdout=out)
    assert "from-the-shell" in out.getvalue() and "Draft" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text("reference: Not A Slug\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="not imported"):
        call_command("protocol", "import", str(bad), stderr=errors)
    assert "bad.yaml:line 1: reference:" in errors.getvalue()
    assert Protocol.objects.count() == 1
