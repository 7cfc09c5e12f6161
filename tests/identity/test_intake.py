"""Bulk intake of person records: checked whole, all or nothing, dry run, idempotent by record key."""

import json

from iomshare.identity import services
from iomshare.identity.intake import receive_batch
from iomshare.identity.models import ResolutionEvent, SourceRecord
from iomshare.partnership.tokens import issue_token
from tests.factories import StaffMemberFactory


def _post(client, staff, body):
    _token, secret = issue_token(for_staff=staff, name="test", by=None)
    return client.post(
        "/api/v1/identity/source-records/batch",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def _rows(count):
    return [
        {
            "record_key": f"HOU-{n}",
            "given_name": "Casey",
            "family_name": f"Marlow{chr(65 + n % 26)}",
            "date_of_birth": "1985-02-01",
            "postcode": "BD5 1AA",
        }
        for n in range(count)
    ]


def test_a_batch_is_received_whole_with_warnings_by_row_and_waiting_records_kept(client, agencies):
    system = StaffMemberFactory(username="council-system", agency=agencies["council"], role="system")
    rows = _rows(3)
    rows[1]["date_of_birth"] = "1985-02-92"
    rows[2]["family_name"] = ""
    answer = _post(client, system, {"records": rows})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["received"], body["already_received"], body["waiting"]) == (3, 0, 2)
    assert body["warnings"] == [
        {
            "row": 2,
            "field": "date_of_birth",
            "value": "1985-02-92",
            "reason": "The date of birth 1985-02-92 is not a real date",
        }
    ]
    assert SourceRecord.objects.filter(agency=agencies["council"]).count() == 3
    assert SourceRecord.objects.exclude(waiting_reason="").count() == 2
    event = ResolutionEvent.objects.get()
    assert event.records.count() == 3 and "sent 3 records in one batch" in event.summary


def test_a_batch_sent_again_skips_what_was_received(client, agencies):
    system = StaffMemberFactory(username="council-system", agency=agencies["council"], role="system")
    assert _post(client, system, {"records": _rows(2)}).json()["received"] == 2
    again = _post(client, system, {"records": _rows(3)}).json()
    assert (again["received"], again["already_received"]) == (1, 2)
    assert SourceRecord.objects.count() == 3


def test_a_dry_run_says_what_would_happen_and_stores_nothing(client, agencies):
    system = StaffMemberFactory(username="council-system", agency=agencies["council"], role="system")
    answer = _post(client, system, {"records": _rows(4), "dry_run": True}).json()
    assert (answer["received"], answer["dry_run"]) == (4, True)
    assert not SourceRecord.objects.exists() and not ResolutionEvent.objects.exists()


def test_a_row_that_cannot_be_stored_refuses_the_batch_naming_the_row_and_nothing_is_written(
    client, agencies
):
    system = StaffMemberFactory(username="council-system", agency=agencies["council"], role="system")
    rows = _rows(3)
    rows[2]["record_key"] = "HOU-0"
    rows[1]["record_key"] = ""
    answer = _post(client, system, {"records": rows})
    assert answer.status_code == 422
    problem = answer.json()
    text = json.dumps(problem)
    assert "Row 2: enter the agency's own key for the record" in text
    assert "Row 3: record HOU-0 is also row 1: send each record once" in text
    assert not SourceRecord.objects.exists()


def test_every_field_of_a_batch_is_stored_as_one_record_would_store_it(agencies):
    """The batch writes with COPY on PostgreSQL: each value must arrive as sent, escapes and all."""
    council = agencies["council"]
    system = StaffMemberFactory(username="council-system", agency=council, role="system")
    row = {
        "record_key": "HOU-\\7",
        "given_name": "Zoë",
        "family_name": "O’Brien",
        "aliases": ["Zoe Obrien"],
        "date_of_birth": "1985-02-01",
        "sex": "female",
        "postcode": "bd51aa",
        "address": "Flat 2\\b, 10 Mill Lane",
        "identifiers": {"pnc": "12/12345A", "nhs": "9990000018", "local": "C-77"},
    }
    outcome = receive_batch(agency=council, rows=[row], provenance="extract\\2026\tpart 1", by=system)
    assert (outcome.received, outcome.waiting, outcome.warnings) == (1, 0, [])
    one = services.validate_submission(dict(row, record_key="HOU-8"), agency=council)
    stored = SourceRecord.objects.get(record_key="HOU-\\7")
    expected = {**one.fields, **services.name_keys(one.fields), "record_key": "HOU-\\7"}
    assert {name: getattr(stored, name) for name in expected} == expected
    assert stored.identifiers == {"pnc": "2012/0012345A", "nhs": "9990000018", "local": "C-77"}
    assert (stored.provenance, stored.received_by, stored.person, stored.warnings) == (
        "extract\\2026\tpart 1",
        system,
        None,
        [],
    )


def test_a_field_that_fails_is_kept_out_with_its_warning_stored_on_the_record(agencies):
    rows = _rows(2)
    rows[0]["postcode"] = "NOT A POSTCODE!"
    rows[1]["identifiers"] = {"pnc": "12/12345A"}
    outcome = receive_batch(agency=agencies["council"], rows=rows, provenance="test", by=None)
    assert [(w["row"], w["field"]) for w in outcome.warnings] == [(1, "postcode")]
    bad = SourceRecord.objects.get(record_key="HOU-0")
    assert bad.postcode == "" and bad.warnings == [
        {
            "field": "postcode",
            "value": "NOT A POSTCODE!",
            "reason": "NOT A POSTCODE! is not a postcode: a UK postcode looks like LS1 4AP",
        }
    ]
    assert SourceRecord.objects.get(record_key="HOU-1").pnc == "2012/0012345A"


def test_a_key_sent_again_is_recognised_and_the_record_first_received_is_kept(agencies):
    council = agencies["council"]
    receive_batch(agency=council, rows=_rows(2), provenance="first", by=None)
    changed = _rows(3)
    changed[0]["family_name"] = "Changed"
    outcome = receive_batch(agency=council, rows=changed, provenance="second", by=None)
    assert (outcome.received, outcome.already_received) == (1, 2)
    assert SourceRecord.objects.get(record_key="HOU-0").family_name == "MarlowA"
    second = ResolutionEvent.objects.get(summary__contains="second")
    assert [r.record_key for r in second.records.all()] == ["HOU-2"]


def test_the_same_key_from_two_agencies_is_two_records(agencies):
    receive_batch(agency=agencies["council"], rows=_rows(2), provenance="test", by=None)
    outcome = receive_batch(agency=agencies["health"], rows=_rows(2), provenance="test", by=None)
    assert (outcome.received, outcome.already_received) == (2, 0)
    assert SourceRecord.objects.filter(record_key="HOU-0").count() == 2


def test_each_batch_event_names_exactly_the_records_it_stored(agencies):
    council = agencies["council"]
    receive_batch(agency=council, rows=_rows(1200)[:700], provenance="one", by=None)
    receive_batch(agency=council, rows=_rows(1200), provenance="two", by=None)
    for provenance, keys in (("one", range(700)), ("two", range(700, 1200))):
        event = ResolutionEvent.objects.get(summary__contains=f"({provenance})")
        assert {r.record_key for r in event.records.all()} == {f"HOU-{n}" for n in keys}
        assert set(SourceRecord.objects.filter(provenance=provenance).values_list("pk", flat=True)) == set(
            event.records.values_list("pk", flat=True)
        )
