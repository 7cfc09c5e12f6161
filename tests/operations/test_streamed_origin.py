"""Entries the worker writes while building a bulk extract carry the asking request's id, channel and
client address (issue 19, point 4), though the worker runs long after that request has ended."""

import pytest
from django.urls import reverse

from iomshare.exchange import extract_runs
from iomshare.exchange.models import ExtractRun
from iomshare.ledger.models import Action, Channel, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from tests.factories import InformationItemFactory, PersonFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_people_held_by_police(police):
    people = [PersonFactory(), PersonFactory()]
    for person in people:
        InformationItemFactory(person=person, holding_agency=police)
    return people


def _exports() -> set[tuple[str, str, str]]:
    entries = list(LedgerEntry.objects.filter(action=Action.EXPORT, person_id__isnull=False))
    assert len(entries) == 2
    return {(e.channel, e.request_id, e.client_address) for e in entries}


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_an_api_extract_built_later_records_each_export_with_the_asking_request_id_channel_and_address(
    client, police, two_people_held_by_police, file_format
):
    system = StaffMemberFactory(agency=police, role=Role.SYSTEM)
    _token, secret = issue_token(for_staff=system, name="police case system", by=None)
    response = client.post(
        "/api/v1/extracts",
        {"format": file_format},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "extract-run-0001"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 202
    assert not LedgerEntry.objects.filter(action=Action.EXPORT).exists(), "nothing is read until the job runs"
    extract_runs.build(ExtractRun.objects.get().pk)  # as the worker does, outside any request
    assert _exports() == {(Channel.API, "extract-run-0001", "192.0.2.7")}


def test_a_web_extract_built_later_records_each_export_with_the_web_channel_and_request_id(
    client, police, two_people_held_by_police
):
    client.force_login(StaffMemberFactory(agency=police, role=Role.IG_LEAD))
    response = client.post(reverse("exchange:extracts"), {"format": "csv"}, REMOTE_ADDR="198.51.100.9")
    extract_runs.build(ExtractRun.objects.get().pk)
    assert _exports() == {(Channel.WEB, response["X-Request-ID"], "198.51.100.9")}
