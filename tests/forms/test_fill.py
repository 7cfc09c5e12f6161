import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from iomshare.errors import InvalidInput
from iomshare.forms.services import publish_form, record_form
from iomshare.records.models import InformationItem, Sensitivity
from tests.factories import InformationItemFactory


def date_fields(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def contact_post(**overrides):
    data = {
        **date_fields("contact_date", timezone.localdate()),
        "contact_type": "home_visit",
        "outcome": "attended_complied",
        "notes": "",
    }
    return data | overrides


def test_choosing_a_form_leads_to_its_questions(client, officer, person):
    client.force_login(officer)
    page = client.get(reverse("forms:choose", args=[person.pk])).content.decode()
    assert "Risk summary" in page and "Contact record" in page
    response = client.post(reverse("forms:choose", args=[person.pk]), {"form": "contact_record"})
    assert response["Location"] == reverse("forms:fill", args=[person.pk, "contact_record"])


def test_not_choosing_a_form_says_so(client, officer, person):
    client.force_login(officer)
    response = client.post(reverse("forms:choose", args=[person.pk]), {})
    assert response.status_code == 400 and "Select the form you want to fill in" in response.content.decode()


def test_the_form_offers_each_concept_with_its_definition(client, officer, person):
    client.force_login(officer)
    html = client.get(reverse("forms:fill", args=[person.pk, "contact_record"])).content.decode()
    assert 'type="radio" value="failed_to_attend_unacceptable"' in html
    assert "May count towards breach" not in html  # the scope note stays on the concept page
    assert "gave no reason, or a reason the practitioner did not accept" in html
    assert 'name="contact_date-day"' in html


def test_a_practitioner_fills_checks_and_records_a_contact(client, officer, person):
    today = timezone.localdate()
    client.force_login(officer)
    response = client.post(
        reverse("forms:fill", args=[person.pk, "contact_record"]), contact_post(notes="Seen at home")
    )
    assert response["Location"] == reverse("forms:check", args=[person.pk, "contact_record"])
    assert InformationItem.objects.count() == 0, "nothing is recorded before the answers are checked"
    check = client.get(response["Location"]).content.decode()
    assert "Check your answers before recording" in check
    assert '<span class="govuk-details__summary-text">Attended – complied</span>' in check
    assert f'href="{reverse("forms:fill", args=[person.pk, "contact_record"])}#outcome"' in check
    response = client.post(reverse("forms:check", args=[person.pk, "contact_record"]))
    assert response["Location"] == reverse("people:person", args=[person.pk])
    item = InformationItem.objects.get()
    assert item.payload == {
        "form": "contact_record",
        "version": 1,
        "answers": {
            "contact_date": today.isoformat(),
            "contact_type": "home_visit",
            "outcome": "attended_complied",
            "notes": "Seen at home",
        },
    }
    assert item.summary == "Home visit: Attended – complied"
    assert item.category.code == "contact" and item.holding_agency == officer.agency
    assert item.valid_from == today


def test_going_back_to_change_an_answer_keeps_the_others(client, officer, person):
    client.force_login(officer)
    client.post(reverse("forms:fill", args=[person.pk, "contact_record"]), contact_post(notes="Seen at home"))
    html = client.get(reverse("forms:fill", args=[person.pk, "contact_record"])).content.decode()
    assert 'value="home_visit" aria-describedby="contact_type-2-hint" checked' in html
    assert ">Seen at home</textarea>" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Select the outcome of the contact"),
        ({"contact_date-month": "13"}, "contact_date", "Date of contact must be a real date"),
        ({"contact_date-year": ""}, "contact_date", "Date of contact must include a year"),
        ({"contact_type": "pigeon"}, "contact_type", "Select one of the options for type of contact"),
    ],
)
def test_a_bad_answer_is_shown_against_its_question_and_nothing_is_recorded(
    client, officer, person, overrides, field, message
):
    client.force_login(officer)
    response = client.post(
        reverse("forms:fill", args=[person.pk, "contact_record"]), contact_post(**overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and f'href="#{field}"' in html and message in html
    assert InformationItem.objects.count() == 0


def test_a_contact_in_the_future_is_refused_against_its_date_question(officer, person, contact_record):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as error:
        record_form(
            by=officer,
            person=person,
            form=contact_record,
            answers={"contact_date": tomorrow, "contact_type": "telephone", "outcome": "rescheduled"},
        )
    assert "today or in the past" in error.value.field_errors["contact_date"]
    assert InformationItem.objects.count() == 0


def test_a_risk_summary_is_marked_official_sensitive(officer, person, risk_summary):
    item = record_form(
        by=officer,
        person=person,
        form=risk_summary,
        answers={
            "assessment_date": timezone.localdate().isoformat(),
            "rosh_level": "high",
            "who_is_at_risk": "Ex-partner",
            "nature_of_risk": "Violence",
            "warning_markers": ["violence", "domestic_abuse_perpetrator"],
        },
    )
    assert item.sensitivity == Sensitivity.OFFICIAL_SENSITIVE
    assert item.summary == "Risk summary: High risk of serious harm"


def test_an_item_is_read_with_the_questions_of_its_own_version(
    officer, manager, person, contact_record, starter
):
    item = record_form(
        by=officer,
        person=person,
        form=contact_record,
        answers={
            "contact_date": timezone.localdate().isoformat(),
            "contact_type": "telephone",
            "outcome": "rescheduled",
            "notes": "x",
        },
    )
    document = starter("contact_record")
    document["version"] = 2
    document["layout"][0]["fields"][3]["label"] = "What other agencies need to know"
    publish_form(document, by=manager)
    html = Template("{% load standard_forms %}{% form_answers payload %}").render(
        Context({"payload": item.payload})
    )
    assert "Notes (optional)" in html and "What other agencies need to know" not in html
    assert "Contact record, version 1." in html
    assert '<span class="govuk-details__summary-text">Rescheduled</span>' in html


def test_an_item_not_recorded_on_a_form_shows_no_answers(db):
    for payload in ({}, None):
        html = Template("{% load standard_forms %}{% form_answers payload %}").render(
            Context({"payload": payload})
        )
        assert html.strip() == ""


def test_starting_an_assessment_shows_recent_ones_it_might_repeat(client, officer, person, risk_summary):
    record_form(
        by=officer,
        person=person,
        form=risk_summary,
        answers={
            "assessment_date": (timezone.localdate() - dt.timedelta(days=20)).isoformat(),
            "rosh_level": "medium",
            "who_is_at_risk": "Known adults",
            "nature_of_risk": "Threats",
        },
    )
    client.force_login(officer)
    html = client.get(reverse("forms:fill", args=[person.pk, "risk_summary"])).content.decode()
    earlier = html.split('data-testid="earlier-assessments"')[1].split("<form")[0]
    assert "Risk summary: Medium risk of serious harm" in earlier
    assert "Known adults" in earlier


def test_assessments_the_viewer_may_not_see_are_not_shown(client, officer, probation, person, risk_summary):
    InformationItemFactory(
        person=person,
        holding_agency=probation,
        summary="Probation risk summary",
        payload={"form": "risk_summary", "version": 1, "answers": {}},
    )
    client.force_login(officer)
    html = client.get(reverse("forms:fill", args=[person.pk, "risk_summary"])).content.decode()
    assert "Probation risk summary" not in html
    assert "Northshire Police has recorded no risk summary about Jordan since" in html


def test_old_assessments_are_not_offered(client, officer, person, risk_summary):
    InformationItemFactory(
        person=person,
        holding_agency=officer.agency,
        author=officer,
        summary="Last year's risk summary",
        valid_from=timezone.localdate() - dt.timedelta(days=400),
        payload={"form": "risk_summary", "version": 1, "answers": {}},
    )
    client.force_login(officer)
    html = client.get(reverse("forms:fill", args=[person.pk, "risk_summary"])).content.decode()
    assert "Last year's risk summary" not in html


def test_forms_that_are_not_assessments_show_no_earlier_assessments(client, officer, person):
    client.force_login(officer)
    html = client.get(reverse("forms:fill", args=[person.pk, "contact_record"])).content.decode()
    assert 'data-testid="earlier-assessments"' not in html


def test_an_administrator_without_a_recording_role_cannot_fill_forms(client, person, police):
    from iomshare.partnership.models import Role
    from tests.factories import StaffMemberFactory

    client.force_login(StaffMemberFactory(agency=police, role=Role.ADMIN))
    assert client.get(reverse("forms:choose", args=[person.pk])).status_code == 403
