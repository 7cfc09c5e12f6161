"""The "cannot match yet" queue: bare records are kept and shown to the right people, then completed and matched."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iomshare.identity import services, waiting
from iomshare.identity.models import SourceRecord
from iomshare.partnership.models import Role
from tests.factories import StaffMemberFactory

BARE = {"given_name": "Jordan", "family_name": "Whitlock", "postcode": "LS1 4AP"}  # no date of birth


@pytest.fixture
def bare(agencies):
    return services.receive_record(
        agency=agencies["charity"], data={"record_key": "SCM-9", **BARE}, provenance="test"
    ).record


@pytest.fixture
def charity_worker(agencies):
    return StaffMemberFactory(username="keyworker", agency=agencies["charity"], role=Role.PRACTITIONER)


def test_the_holding_agency_and_ig_leads_see_a_waiting_record_and_other_agencies_do_not(
    bare, charity_worker, practitioner, reviewer, agencies
):
    volunteer = StaffMemberFactory(
        username="volunteer", agency=agencies["charity"], role=Role.VOLUNTEER, is_volunteer=True
    )
    assert list(waiting.waiting_records(charity_worker)) == [bare]
    assert list(waiting.waiting_records(reviewer)) == [bare]
    assert list(waiting.waiting_records(practitioner)) == []  # police practitioner: not their record
    assert list(waiting.waiting_records(volunteer)) == []


def test_the_queue_page_lists_the_record_for_its_agency_and_hides_it_from_others(
    client, bare, charity_worker, practitioner
):
    client.force_login(charity_worker)
    page = client.get("/identity/waiting/")
    assert page.status_code == 200
    assert b"SCM-9" in page.content and b"No date of birth" in page.content
    assert client.get(f"/identity/waiting/{bare.pk}/").status_code == 200
    client.force_login(practitioner)
    assert b"SCM-9" not in client.get("/identity/waiting/").content
    assert client.get(f"/identity/waiting/{bare.pk}/").status_code == 404


def test_an_ig_lead_of_another_agency_sees_the_record_but_cannot_complete_it(client, bare, reviewer):
    client.force_login(reviewer)
    page = client.get(f"/identity/waiting/{bare.pk}/")
    assert page.status_code == 200 and b"Only Northshire Charity can complete this record" in page.content
    client.post(
        f"/identity/waiting/{bare.pk}/",
        {"date_of_birth-day": "17", "date_of_birth-month": "5", "date_of_birth-year": "1990"},
    )
    bare.refresh_from_db()
    assert bare.waiting_reason and bare.date_of_birth is None


def test_completing_a_record_checks_the_date_then_matches_it_at_once(
    client, bare, charity_worker, active_model
):
    client.force_login(charity_worker)
    refused = client.post(
        f"/identity/waiting/{bare.pk}/",
        {
            "family_name": "Whitlock",
            "date_of_birth-day": "92",
            "date_of_birth-month": "5",
            "date_of_birth-year": "1990",
        },
    )
    assert refused.status_code == 200
    assert b"There is a problem" in refused.content and b"1990-05-92 is not a real date" in refused.content
    bare.refresh_from_db()
    assert bare.waiting_reason and bare.person is None
    done = client.post(
        f"/identity/waiting/{bare.pk}/",
        {
            "family_name": "Whitlock",
            "date_of_birth-day": "17",
            "date_of_birth-month": "5",
            "date_of_birth-year": "1990",
        },
    )
    assert done.status_code == 302
    bare.refresh_from_db()
    assert (bare.waiting_reason, str(bare.date_of_birth)) == ("", "1990-05-17")
    assert bare.person is not None  # matched on completion: a new person, as nothing else is known


def test_a_waiting_record_is_left_out_of_linking_until_completed(bare, receive, reviewer, active_model):
    other = receive("police", "POL-1", **BARE, date_of_birth="1990-05-17")
    run = services.link_records(by=reviewer)
    bare.refresh_from_db()
    other.refresh_from_db()
    assert bare.person is None and other.person is not None and run.records == 1


WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    given_name=WORDS,
    family_name=WORDS,
    date_of_birth=st.one_of(WORDS, st.dates().map(str)),
    sex=WORDS,
    postcode=WORDS,
    address=st.text(max_size=400),
    identifiers=st.dictionaries(st.sampled_from(["pnc", "cro", "nomis", "nhs", "local", "passport"]), WORDS),
)
def test_a_field_that_fails_its_check_never_refuses_the_record(
    given_name, family_name, date_of_birth, sex, postcode, address, identifiers
):
    """Whatever the fields hold, a record with a key is received: bad fields are kept out with a warning."""
    data = {
        "record_key": "K-1",
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "sex": sex,
        "postcode": postcode,
        "address": address,
        "identifiers": identifiers,
    }
    submission = services.validate_submission(data)
    fields = submission.fields
    kept_out = {warning["field"] for warning in submission.warnings}
    assert fields["record_key"] == "K-1"
    for field in ("given_name", "family_name", "postcode", "address", "sex"):
        assert field not in kept_out or not fields[field]
    assert "date_of_birth" not in kept_out or fields["date_of_birth"] is None
    assert bool(submission.waiting_reason) == (
        not any(fields.get(s) for s in ("pnc", "cro", "nomis", "nhs_number"))
        and not (fields["family_name"] and fields["date_of_birth"])
    )


def test_a_received_record_with_only_bad_fields_is_stored_waiting(agencies):
    arrival = services.receive_record(
        agency=agencies["council"],
        data={"record_key": "HOU-1", "given_name": "R2D2", "family_name": "", "date_of_birth": "1990-13-45"},
        provenance="test",
    )
    record = SourceRecord.objects.get()
    assert arrival.outcome == "waiting" and record.person is None
    assert {w["field"] for w in record.warnings} == {"given_name", "date_of_birth"}
