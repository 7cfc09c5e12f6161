import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from iomshare.errors import NotPermitted
from iomshare.forms.definitions import DEFINITION_SCHEMA_PATH, check_definition, starter_definitions
from iomshare.forms.models import FormDefinition
from iomshare.forms.services import InvalidDefinition, publish_form

DOCS_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "form-definition.schema.json"


def problems(document) -> dict[str, str]:
    return {problem.path: problem.message for problem in check_definition(document)}


def test_every_starter_form_is_a_valid_definition(db):
    documents = starter_definitions()
    assert {d["code"] for d in documents} == {
        "iom_referral",
        "risk_summary",
        "intervention_record",
        "contact_record",
        "case_conference_minute",
        "accommodation_employment_status",
    }
    for document in documents:
        assert check_definition(document) == [], document["code"]


def test_the_starter_forms_are_published_by_migration(db):
    assert FormDefinition.objects.filter(version=1).count() == 6


def test_the_published_definition_format_is_the_one_iomshare_checks_against():
    assert json.loads(DOCS_SCHEMA.read_text()) == json.loads(DEFINITION_SCHEMA_PATH.read_text())


def test_a_field_with_an_unknown_scheme_is_named_by_its_path(starter, db):
    document = starter("contact_record")
    document["layout"][0]["fields"][2]["scheme"] = "outcomes"
    assert problems(document) == {"layout[0].fields[2].scheme": "there is no vocabulary scheme 'outcomes'"}


def test_a_widget_that_cannot_ask_for_its_schema_type_is_refused(starter, db):
    document = starter("contact_record")
    document["layout"][0]["fields"][0]["widget"] = "number"
    assert "number or integer" in problems(document)["layout[0].fields[0].widget"]


def test_a_question_not_in_the_schema_and_a_property_never_asked_are_both_reported(starter, db):
    document = starter("contact_record")
    document["layout"][0]["fields"][3]["name"] = "remarks"
    found = problems(document)
    assert found["layout[0].fields[3].name"] == "'remarks' is not a property of the schema"
    assert found["schema.properties.notes"] == "no field of the layout asks for it"


def test_answers_to_questions_not_asked_must_be_refused(starter, db):
    document = starter("contact_record")
    del document["schema"]["additionalProperties"]
    assert "schema.additionalProperties" in problems(document)


def test_a_coded_question_without_a_scheme_is_refused(starter, db):
    document = starter("contact_record")
    del document["layout"][0]["fields"][1]["scheme"]
    assert "takes its options from a vocabulary scheme" in problems(document)["layout[0].fields[1].scheme"]


def test_an_invalid_json_schema_is_reported_where_it_is_wrong(starter, db):
    document = starter("contact_record")
    document["schema"]["properties"]["notes"]["maxLength"] = "long"
    assert "schema.properties.notes.maxLength" in problems(document)


def test_a_definition_missing_required_parts_lists_each(db):
    found = [str(problem) for problem in check_definition({"code": "Bad Code", "version": 0, "layout": []})]
    assert "(the file): 'title' is a required property" in found
    assert "(the file): 'schema' is a required property" in found
    assert any(problem.startswith("code: 'Bad Code' does not match") for problem in found)
    assert "version: 0 is less than the minimum of 1" in found
    assert any(problem.startswith("layout: [] should be non-empty") for problem in found)


def test_the_summary_may_only_use_the_forms_fields(starter, db):
    document = starter("contact_record")
    document["summary"] = "{contact_type} {mood}"
    assert problems(document)["summary"] == "{mood} is not a field of the form"


def test_an_unknown_category_is_refused(starter, db):
    document = starter("contact_record")
    document["category"] = "gossip"
    assert problems(document)["category"] == "there is no information category 'gossip'"


def test_publishing_a_new_version_keeps_the_old_one(starter, manager):
    document = starter("contact_record")
    document["version"] = 2
    document["layout"][0]["fields"][3]["label"] = "What other agencies need to know"
    form = publish_form(document, by=manager)
    assert form.version == 2 and form.published_by == manager
    assert (
        FormDefinition.objects.get(code="contact_record", version=1).fields[3]["label"] == "Notes (optional)"
    )


def test_a_published_version_is_never_replaced(starter, manager):
    with pytest.raises(InvalidDefinition) as error:
        publish_form(starter("contact_record"), by=manager)
    assert "number this one 2" in error.value.problems[0].message
    assert FormDefinition.objects.filter(code="contact_record").count() == 1


def test_only_a_partnership_manager_or_administrator_publishes_forms(starter, officer):
    document = starter("contact_record")
    document["version"] = 2
    with pytest.raises(NotPermitted):
        publish_form(document, by=officer)


def upload(document, name="form.json"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, data, content_type="application/json")


def test_an_administrator_publishes_a_new_form_by_uploading_it(client, manager, starter):
    document = starter("contact_record")
    document.update(code="volunteering_placement", title="Volunteering placement", is_assessment=False)
    client.force_login(manager)
    response = client.post(reverse("forms:publish"), {"definition": upload(document)})
    assert response.status_code == 302
    assert response["Location"] == reverse("forms:definition-version", args=["volunteering_placement", 1])
    page = client.get(response["Location"]).content.decode()
    assert "Volunteering placement version 1 has been published." in page


def test_an_upload_with_problems_lists_each_by_path_and_publishes_nothing(client, manager, starter):
    document = starter("contact_record")
    document.update(code="bad_form")
    document["layout"][0]["fields"][2]["scheme"] = "outcomes"
    document["category"] = "gossip"
    client.force_login(manager)
    response = client.post(reverse("forms:publish"), {"definition": upload(document)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "it has 2 problems" in html
    assert "<code>layout[0].fields[2].scheme</code>" in html and "there is no vocabulary scheme" in html
    assert "<code>category</code>" in html
    assert not FormDefinition.objects.filter(code="bad_form").exists()


def test_an_upload_that_is_not_json_says_where(client, manager):
    client.force_login(manager)
    response = client.post(reverse("forms:publish"), {"definition": upload(b'{"code": "x",\n oops}')})
    assert "The file is not valid JSON" in response.content.decode()
    assert "line 2" in response.content.decode()


def test_practitioners_cannot_reach_the_publish_page(client, officer):
    client.force_login(officer)
    assert client.get(reverse("forms:publish")).status_code == 403


def test_every_version_of_a_form_stays_readable(client, officer, manager, starter):
    document = starter("contact_record")
    document["version"] = 2
    document["layout"][0]["fields"][3]["label"] = "What other agencies need to know"
    publish_form(document, by=manager)
    client.force_login(officer)
    latest = client.get(reverse("forms:definition", args=["contact_record"])).content.decode()
    old = client.get(reverse("forms:definition-version", args=["contact_record", 1])).content.decode()
    assert "What other agencies need to know" in latest
    assert "Notes (optional)" in old and "What other agencies need to know" not in old
