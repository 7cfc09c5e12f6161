"""A field that fails its check is kept out with a warning (never the record); bare records wait; good input is normalised."""

import datetime as dt

import pytest

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import services
from iomshare.identity.models import SourceRecord
from iomshare.partnership.models import DeclaredIdentifierScheme
from tests.days import on_the_day

GOOD = {
    "record_key": "POL-1",
    "given_name": "Jordan",
    "family_name": "Whitlock",
    "date_of_birth": "1990-05-17",
    "postcode": "ls1 4ap",
    "identifiers": {"pnc": "12/12345A"},
}


def _received(agencies, **changes):
    return services.receive_record(agency=agencies["police"], data={**GOOD, **changes}, provenance="test")


def _warnings(record) -> dict[str, str]:
    return {warning["field"]: warning["reason"] for warning in record.warnings}


def test_a_good_record_is_received_normalised(agencies):
    record = services.receive_record(agency=agencies["police"], data=GOOD, provenance="test").record
    assert (record.postcode, record.pnc, record.family_key, record.given_key) == (
        "LS1 4AP",
        "2012/0012345A",
        "WHITLOCK",
        "JORDAN",
    )


def test_a_record_with_no_name_date_of_birth_or_identifier_waits_to_be_completed_rather_than_being_dropped(
    agencies,
):
    arrival = _received(
        agencies, given_name="", family_name="", date_of_birth="", postcode="", identifiers={}
    )
    assert arrival.outcome == "waiting"
    record = SourceRecord.objects.get()
    assert record.person is None
    assert record.waiting_reason.startswith("No last name and no date of birth")


def test_a_record_without_a_date_of_birth_waits_in_the_cannot_match_yet_queue(agencies):
    arrival = _received(agencies, date_of_birth="", identifiers={"local": "POL-77"})
    assert arrival.outcome == "waiting"
    assert arrival.record.person is None
    assert "No date of birth" in arrival.record.waiting_reason


def test_a_national_identifier_lets_a_record_without_a_date_of_birth_be_matched(agencies):
    arrival = _received(agencies, date_of_birth="")
    assert arrival.outcome == "new person"
    assert arrival.record.waiting_reason == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1990-02-30", "The date of birth 1990-02-30 is not a real date"),
        ("1990-05-92", "The date of birth 1990-05-92 is not a real date"),
        ("17/05/1990", "The date of birth must be a date written as YYYY-MM-DD"),
        ("1850-01-01", "The date of birth is before 1900: check it for a typing mistake"),
        (lambda today: (today + dt.timedelta(days=3)).isoformat(), "The date of birth is in the future"),
        (lambda today: (today - dt.timedelta(days=365 * 5)).isoformat(), "younger than 10"),
    ],
)
def test_an_impossible_date_of_birth_is_kept_out_with_the_reason_and_the_record_kept(
    agencies, value, message
):
    value = on_the_day(value)
    record = _received(agencies, date_of_birth=value).record
    assert record.date_of_birth is None
    assert message in _warnings(record)["date_of_birth"]
    assert [w["value"] for w in record.warnings] == [value]
    assert (record.family_name, record.pnc) == ("Whitlock", "2012/0012345A")


def test_identifiers_with_wrong_check_digits_or_unknown_schemes_are_kept_out_with_warnings(agencies):
    record = _received(
        agencies, identifiers={"pnc": "2012/0012345K", "nhs": "9434765918", "passport": "X1"}
    ).record
    warnings = _warnings(record)
    assert "fails its check letter" in warnings["identifiers.pnc"]
    assert "fails its check digit" in warnings["identifiers.nhs"]
    assert "passport is not an identifier scheme iomshare knows" in warnings["identifiers.passport"]
    assert (record.pnc, record.nhs_number) == ("", "")
    assert record.waiting_reason == ""  # name and date of birth are still there to match on


def test_names_with_digits_and_unreadable_postcodes_are_kept_out_with_warnings(agencies):
    record = _received(agencies, given_name="J0rdan", postcode="NOT A CODE!").record
    warnings = _warnings(record)
    assert (
        warnings["given_name"] == "The first name can contain only letters, spaces, hyphens and apostrophes"
    )
    assert warnings["postcode"] == "NOT A CODE! is not a postcode: a UK postcode looks like LS1 4AP"
    assert (record.given_name, record.postcode, record.family_name) == ("", "", "Whitlock")


def test_postcodes_from_outside_the_uk_are_kept_as_written(agencies):
    assert _received(agencies, postcode="d02 x285").record.postcode == "D02 X285"


def test_an_identifier_in_a_scheme_the_agency_declares_is_checked_against_its_pattern(agencies):
    scheme = DeclaredIdentifierScheme.objects.create(
        code="ni", name="National Insurance number", pattern=r"[A-Z]{2}\d{6}[A-D]", example="QQ123456C"
    )
    scheme.held_by.add(agencies["police"])
    good = _received(agencies, identifiers={"ni": "qq 12 34 56 c"}).record
    assert good.other_identifiers == {"ni": "QQ123456C"}
    bad = _received(agencies, record_key="POL-2", identifiers={"ni": "12345"}).record
    assert bad.other_identifiers == {}
    assert (
        _warnings(bad)["identifiers.ni"]
        == "12345 is not a National Insurance number: it should look like QQ123456C"
    )


def test_a_record_without_a_key_is_refused_and_nothing_stored(agencies):
    with pytest.raises(InvalidInput) as raised:
        _received(agencies, record_key="")
    assert raised.value.field_errors == {"record_key": "Enter the agency's own key for the record"}
    assert not SourceRecord.objects.exists()


def test_the_same_record_key_is_not_received_twice(agencies):
    services.receive_record(agency=agencies["police"], data=GOOD, provenance="test")
    with pytest.raises(InvalidInput) as raised:
        services.receive_record(agency=agencies["police"], data=GOOD, provenance="test")
    assert "has already sent record POL-1" in raised.value.field_errors["record_key"]
    assert SourceRecord.objects.count() == 1


def test_only_the_holding_agency_sends_its_records(agencies, practitioner):
    with pytest.raises(NotPermitted):
        services.receive_record(agency=agencies["health"], data=GOOD, provenance="test", by=practitioner)
    assert not SourceRecord.objects.exists()
