"""The health check page, its CSV and its PDF: who may see them, and what they hold."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from iomshare.partnership.models import Role
from iomshare.vocabulary.models import Concept, LocalTerm, Scheme
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db
PAGES = ["governance:health-check", "governance:health-check-csv", "governance:health-check-pdf"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [Role.PARTNERSHIP_MANAGER, Role.IG_LEAD])
def test_partnership_managers_and_ig_leads_may_see_the_health_check(client, partnership, name, role):
    viewer = partnership.manager if role == Role.PARTNERSHIP_MANAGER else partnership.ig_lead
    client.force_login(viewer)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.VOLUNTEER, Role.ADMIN, Role.SYSTEM])
def test_nobody_else_may_see_the_health_check(client, partnership, name, role):
    client.force_login(
        StaffMemberFactory(agency=partnership.agencies[0], role=role, is_volunteer=role == "volunteer")
    )
    assert client.get(reverse(name)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("governance:health-check"))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_the_page_shows_each_question_with_its_verdict_figures_chart_and_table(client, partnership):
    client.force_login(partnership.manager)
    page = client.get(reverse("governance:health-check")).content.decode()
    for number in range(1, 11):
        assert f'data-testid="question-{number}"' in page
    assert page.count('data-testid="verdict"') == 10
    assert 'src="data:image/svg+xml;base64,' in page  # the charts, as images under the strict CSP
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # no script in the content
    assert 'data-testid="training.by_agency"' in page
    assert "Northshire Police" in page
    for person in partnership.people:  # aggregates only: nobody is named
        assert person.family_name not in page


@pytest.mark.parametrize(("role", "offered"), [(Role.PARTNERSHIP_MANAGER, True), (Role.IG_LEAD, False)])
def test_a_link_is_offered_only_to_those_who_may_open_it(client, partnership, role, offered):
    viewer = partnership.manager if role == Role.PARTNERSHIP_MANAGER else partnership.ig_lead
    client.force_login(viewer)
    page = client.get(reverse("governance:health-check")).content.decode()
    expiry_list = reverse("partnership:training-expiry")
    assert (f'href="{expiry_list}"' in page) is offered
    assert (client.get(expiry_list).status_code == 200) is offered  # no link to a refusal


def test_the_csv_has_every_figure_and_no_cell_runs_as_a_formula(client, partnership):
    # an agency named like a formula: the CSV must neutralise it
    partnership.agencies[1].name = '=HYPERLINK("http://example.invalid")'
    partnership.agencies[1].save()
    client.force_login(partnership.ig_lead)
    response = client.get(reverse("governance:health-check-csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["question", "question_text", "figure", "figure_text", "row", "column", "value"]
    keys = {row[2] for row in rows[1:]}
    assert {
        "protocols.in_force",
        "training.expired",
        "retention.open_reviews",
        "bearing.open_requests",
    } <= keys
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert '\'=HYPERLINK("http://example.invalid")' in cells


def test_the_pdf_holds_the_questions_and_figures(client, partnership):
    client.force_login(partnership.manager)
    response = client.get(reverse("governance:health-check-pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Partnership health check" in text
    assert "Protocols past their review date" in text
    assert "Do we mean the same thing when we use the same word?" in text
    for person in partnership.people:
        assert person.family_name not in text


def test_a_vocabulary_conflict_makes_terminology_need_attention(partnership):
    from iomshare.governance.health import Verdict, health_check

    police, probation = partnership.agencies[:2]
    scheme = Scheme.objects.create(code="flags-test", name="Test flags")
    perpetrator, victim = (
        Concept.objects.create(scheme=scheme, code=code, preferred_term=code, definition=code)
        for code in ("da-perpetrator", "da-victim")
    )
    LocalTerm.objects.create(agency=police, scheme=scheme, local_code="DA", concept=perpetrator)
    before = health_check().figures()["terminology.conflicts"]
    LocalTerm.objects.create(agency=probation, scheme=scheme, local_code="DA", concept=victim)
    check = health_check()
    assert check.figures()["terminology.conflicts"] == before + 1
    assert check.figures()["terminology.shared_word_clashes"] == 1
    assert next(s for s in check.sections if s.slug == "terminology").verdict == Verdict.ATTENTION
