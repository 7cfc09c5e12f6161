"""No "ask your administrator" without a name and a way to reach them (issue 20)."""

from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from iomshare.partnership.models import Role
from iomshare.web.context import contacts
from tests.factories import StaffMemberFactory

SUPPORT = {
    "name": "the Northshire IOM support desk",
    "email": "iom-desk@northshire.example",
    "hours": "weekdays",
}


@override_settings(IOMSHARE_SUPPORT_CONTACT=SUPPORT)
def test_the_sign_in_page_names_the_partnerships_support_desk_not_staff(client, police):
    StaffMemberFactory(
        agency=police, role=Role.ADMIN, first_name="Ada", last_name="Admin", email="ada@police.example"
    )
    page = client.get("/sign-in/").content.decode()
    help_text = page.split('data-testid="sign-in-help"')[1].split("</p>")[0]
    assert "the Northshire IOM support desk" in help_text
    assert 'href="mailto:iom-desk@northshire.example"' in help_text
    assert "Ada" not in page and "ada@police.example" not in page


def test_the_sign_in_page_title_says_error_when_there_is_one(client, db):
    page = client.post("/sign-in/", {"login": "", "password": ""}).content.decode()
    assert "<title>Error: Sign in" in page


def test_the_contacts_page_lists_each_agencys_leads_and_administrators(client, officer, police, probation):
    StaffMemberFactory(
        agency=police, role=Role.IG_LEAD, first_name="Imogen", last_name="Grey", email="ig@police.example"
    )
    StaffMemberFactory(
        agency=probation, role=Role.ADMIN, first_name="Pat", last_name="Admin", email="pa@probation.example"
    )
    StaffMemberFactory(
        agency=probation, role=Role.ADMIN, first_name="Gone", last_name="Away", is_active=False
    )
    client.force_login(officer)
    page = client.get("/contacts/").content.decode()
    table = page.split('data-testid="agency-contacts"')[1]
    police_row = table.split(police.name)[1].split("</tr>")[0]
    probation_row = table.split(probation.name)[1].split("</tr>")[0]
    assert "Imogen Grey" in police_row and "mailto:ig@police.example" in police_row
    assert "Pat Admin" in probation_row and "Gone Away" not in page
    assert "No one yet: contact the support desk" in police_row  # police has no administrator


def test_the_contacts_page_is_for_signed_in_staff_only(client, db):
    assert client.get("/contacts/").status_code == 302


def contact_text(user, role_key: str) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = contacts(request)
    return render_to_string("web/_contact.html", {"user": user, **context, "contact": context[role_key]})


@override_settings(IOMSHARE_SUPPORT_CONTACT=SUPPORT)
def test_ask_your_administrator_names_who_and_links_to_the_contacts_page(officer, police):
    unnamed = contact_text(officer, "admin_contact")
    assert "the Northshire IOM support desk" in unnamed and "mailto:iom-desk@northshire.example" in unnamed
    assert "as your agency has no administrator on iomshare yet" in unnamed
    assert 'href="/contacts/"' in unnamed
    StaffMemberFactory(
        agency=police, role=Role.ADMIN, first_name="Ada", last_name="Admin", email="ada@police.example"
    )
    named = contact_text(officer, "admin_contact")
    assert "Ada Admin (your agency's administrator" in named and "mailto:ada@police.example" in named


@override_settings(IOMSHARE_SUPPORT_CONTACT=SUPPORT)
def test_a_code_no_one_has_mapped_names_the_lead_to_ask_or_else_the_support_desk(police, probation):
    import pytest

    from iomshare.errors import InvalidInput
    from iomshare.vocabulary.services import resolve

    StaffMemberFactory(
        agency=police, role=Role.IG_LEAD, first_name="Imogen", last_name="Grey", email="ig@police.example"
    )
    with pytest.raises(
        InvalidInput, match=r"Ask your information-governance lead, Imogen Grey \(ig@police\.example\)"
    ):
        resolve(police, "warning_marker", "NOT-A-CODE")
    with pytest.raises(
        InvalidInput, match=r"lead, the Northshire IOM support desk \(iom-desk@northshire\.example\)"
    ):
        resolve(probation, "warning_marker", "NOT-A-CODE")  # probation has no lead to name


def test_a_refused_consent_override_names_the_lead_to_ask(police, probation_officer):
    import pytest

    from iomshare.errors import NotPermitted
    from iomshare.people.models import Person
    from iomshare.protocols.consent import override_consent

    StaffMemberFactory(
        agency=probation_officer.agency,
        role=Role.IG_LEAD,
        first_name="Paula",
        last_name="Lead",
        email="pl@probation.example",
    )
    person = Person.objects.create(given_name="Test", family_name="Person")
    with pytest.raises(
        NotPermitted, match=r"Ask your information-governance lead, Paula Lead \(pl@probation\.example\)"
    ):
        override_consent(person, police, None, by=probation_officer, reason="urgent risk", hours=4)
