from django.template import Context, Template
from django.urls import reverse

from iomshare.partnership.models import Role
from tests.factories import StaffMemberFactory


def test_a_concept_page_shows_its_definition_scope_and_every_agencys_code(client, officer, mapped):
    client.force_login(officer)
    response = client.get(reverse("vocabulary:concept", args=["warning_marker", "domestic_abuse_victim"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The person has been a victim of domestic abuse." in html
    assert "Marks someone harmed" in html
    assert "Northshire Council Housing Options" in html and "<code>DA</code>" in html
    assert "Northshire Police" not in html.split("Agencies' own codes")[1]


def test_the_scheme_page_lists_every_concept_with_its_definition(client, officer):
    client.force_login(officer)
    html = client.get(reverse("vocabulary:scheme", args=["rosh_level"])).content.decode()
    for term in ("Low", "Medium", "High", "Very high"):
        assert f">{term}</a>" in html
    assert "There is an imminent risk of serious harm." in html


def test_an_unknown_concept_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("vocabulary:concept", args=["rosh_level", "extreme"])).status_code == 404
    assert client.get(reverse("vocabulary:scheme", args=["moods"])).status_code == 404


def test_search_finds_a_concept_by_synonym_and_by_an_agencys_code(client, officer, mapped):
    client.force_login(officer)
    html = client.get(reverse("vocabulary:index"), {"q": "TWOC"}).content.decode()
    assert "Vehicle offences" in html
    html = client.get(reverse("vocabulary:index"), {"q": "ATTC"}).content.decode()
    assert "Attended – complied" in html


def test_the_conflicts_page_shows_the_da_clash_and_the_ambiguous_dna(client, mapped):
    ig_lead = StaffMemberFactory(agency=mapped["council"], role=Role.IG_LEAD)
    client.force_login(ig_lead)
    html = client.get(reverse("vocabulary:conflicts")).content.decode()
    ambiguous = html.split('data-testid="ambiguous"')[1].split("</table>")[0]
    assert "Second Chance Mentoring" in ambiguous and "<code>DNA</code>" in ambiguous
    assert "Failed to attend – acceptable absence" in ambiguous
    clashes = html.split("One word, different meanings")[1]
    da = clashes.split("<code>DA</code> in warning markers")[1].split('data-testid="clash"')[0]
    assert "Domestic abuse: perpetrator" in da and "Domestic abuse: victim" in da
    assert "Northshire Police" in da and "Northshire Council Housing Options" in da


def test_codes_that_mean_the_same_in_two_agencies_are_no_conflict(client, mapped):
    ig_lead = StaffMemberFactory(agency=mapped["police"], role=Role.IG_LEAD)
    client.force_login(ig_lead)
    html = client.get(reverse("vocabulary:conflicts")).content.decode()
    assert "<code>MET</code>" not in html and "<code>ATTC</code>" not in html


def test_practitioners_do_not_see_the_conflicts_page(client, officer):
    client.force_login(officer)
    assert client.get(reverse("vocabulary:conflicts")).status_code == 403


def test_a_coded_value_shows_its_term_with_the_definition_one_click_away(db, rf):
    html = Template(
        '{% load vocabulary %}{% term "rosh_level" "high" %}{% term "rosh_level" "extreme" %}'
    ).render(Context({}))
    assert '<details class="govuk-details' in html
    assert '<span class="govuk-details__summary-text">High</span>' in html
    assert "The potential event could happen at any time" in html
    assert 'href="/vocabulary/rosh_level/high/"' in html
    assert 'extreme <strong class="govuk-tag govuk-tag--red">Not in the vocabulary</strong>' in html


def test_a_list_of_codes_shows_each_term(db):
    html = Template('{% load vocabulary %}{% term "pathway" codes %}').render(
        Context({"codes": ["health", "accommodation"]})
    )
    assert html.count('data-testid="term"') == 2
    assert "Accommodation" in html and "Health" in html


def test_vocabulary_pages_need_sign_in(client, db):
    response = client.get(reverse("vocabulary:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:sign-in"))
