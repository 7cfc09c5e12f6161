"""Bad input is refused with a clear reason and nothing is stored; good input is normalised."""

import datetime as dt

import pytest

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.identity import services
from iomshare.identity.models import SourceRecord

GOOD = {
    "record_key": "POL-1",
    "given_name": "Jordan",
    "family_name": "Whitlock",
    "date_of_birth": "1990-05-17",
    "postcode": "ls1 4ap",
    "identifiers": {"pnc": "12/12345A"},
}


def _refusal(agencies, **changes) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        services.receive_record(agency=agencies["police"], data={**GOOD, **changes}, provenance="test")
    assert not SourceRecord.objects.exists()
    return raised.value.field_errors


def test_a_good_record_is_received_normalised(agencies):
    record = services.receive_record(agency=agencies["police"], data=GOOD, provenance="test").record
    assert (record.postcode, record.pnc, record.family_key, record.given_key) == (
        "LS1 4AP",
        "2012/0012345A",
        "WHITLOCK",
        "JORDAN",
    )


def test_a_record_with_no_name_date_of_birth_or_identifier_is_refused(agencies):
    errors = _refusal(agencies, given_name="", family_name="", date_of_birth="", postcode="", identifiers={})
    assert errors == {
        "record": "The record has no name, date of birth or national identifier, so it cannot be matched to anyone"
    }


def test_a_name_alone_is_refused_as_too_little_to_match(agencies):
    errors = _refusal(agencies, date_of_birth="", postcode="", identifiers={"local": "POL-77"})
    assert "A name alone is not enough" in errors["record"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1990-02-30", "The date of birth 1990-02-30 is not a real date"),
        ("17/05/1990", "The date of birth must be a date written as YYYY-MM-DD"),
        ("1850-01-01", "The date of birth is before 1900: check it for a typing mistake"),
        ((dt.date.today() + dt.timedelta(days=3)).isoformat(), "The date of birth is in the future"),
        ((dt.date.today() - dt.timedelta(days=365 * 5)).isoformat(), "younger than 10"),
    ],
)
def test_impossible_dates_of_birth_are_refused_with_the_reason(agencies, value, message):
    assert message in _refusal(agencies, date_of_birth=value)["date_of_birth"]


def test_identifiers_with_wrong_check_digits_or_unknown_schemes_are_refused(agencies):
    errors = _refusal(agencies, identifiers={"pnc": "2012/0012345K", "nhs": "9434765918", "passport": "X1"})
    assert "fails its check letter" in errors["identifiers.pnc"]
    assert "fails its check digit" in errors["identifiers.nhs"]
    assert "passport is not an identifier iomshare knows" in errors["identifiers.passport"]


def test_names_with_digits_and_bad_postcodes_are_refused(agencies):
    errors = _refusal(agencies, given_name="J0rdan", postcode="NOT A CODE")
    assert errors["given_name"] == "The first name can contain only letters, spaces, hyphens and apostrophes"
    assert errors["postcode"] == "NOT A CODE is not a UK postcode, for example LS1 4AP"


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
