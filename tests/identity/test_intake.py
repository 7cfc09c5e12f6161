"""Bulk intake of person records: checked whole, all or nothing, dry run, idempotent by record key."""

import json

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
