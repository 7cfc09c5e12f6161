from django.urls import reverse


def test_the_forms_page_lists_every_current_form_and_marks_assessments(client, officer):
    client.force_login(officer)
    html = client.get(reverse("forms:index")).content.decode()
    for title in (
        "IOM referral",
        "Risk summary",
        "Intervention record",
        "Contact record",
        "Case conference minute",
    ):
        assert f">{title}</a>" in html
    assert (
        'Accommodation and employment status</a> <strong class="govuk-tag govuk-tag--blue">Assessment' in html
    )
    assert "Publish a form" not in html, "practitioners do not publish forms"


def test_a_forms_page_shows_each_question_and_where_its_options_come_from(client, officer):
    client.force_login(officer)
    html = client.get(reverse("forms:definition", args=["iom_referral"])).content.decode()
    assert "Which pathways does the person need help with?" in html
    assert 'href="/vocabulary/scheme/pathway/"' not in html
    assert f'href="{reverse("vocabulary:scheme", args=["pathway"])}"' in html
    assert "One or more of" in html and "Attitudes, thinking and behaviour" in html
    assert "<script>" not in html


def test_an_unknown_form_is_not_found(client, officer, person):
    client.force_login(officer)
    assert client.get(reverse("forms:definition", args=["nope"])).status_code == 404
    assert client.get(reverse("forms:fill", args=[person.pk, "nope"])).status_code == 404


def test_the_check_page_without_answers_goes_back_to_the_questions(client, officer, person):
    client.force_login(officer)
    response = client.get(reverse("forms:check", args=[person.pk, "contact_record"]))
    assert response["Location"] == reverse("forms:fill", args=[person.pk, "contact_record"])
