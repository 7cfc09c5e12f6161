"""Entries written while a response streams carry the request's id, channel and client address.

A streamed body is produced after the request middleware has returned, so the request's context must
be carried into the stream (issue 19, point 4).
"""

import pytest
from django.urls import reverse

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


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_streamed_api_extract_records_each_export_with_the_request_id_channel_and_address(
    client, police, two_people_held_by_police, file_format
):
    system = StaffMemberFactory(agency=police, role=Role.SYSTEM)
    _token, secret = issue_token(for_staff=system, name="police case system", by=None)
    response = client.get(
        "/api/v1/extract",
        {"format": file_format},
        headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "extract-run-0001"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    exports = list(LedgerEntry.objects.filter(action=Action.EXPORT))
    assert len(exports) == 2
    assert {(e.channel, e.request_id, e.client_address) for e in exports} == {
        (Channel.API, "extract-run-0001", "192.0.2.7")
    }


def test_a_streamed_web_extract_records_each_export_with_the_web_channel_and_request_id(
    client, police, two_people_held_by_police
):
    client.force_login(StaffMemberFactory(agency=police, role=Role.IG_LEAD))
    response = client.get(reverse("exchange:extracts"), {"format": "csv"}, REMOTE_ADDR="198.51.100.9")
    b"".join(response.streaming_content)
    exports = list(LedgerEntry.objects.filter(action=Action.EXPORT))
    assert len(exports) == 2
    assert {(e.channel, e.request_id, e.client_address) for e in exports} == {
        (Channel.WEB, response["X-Request-ID"], "198.51.100.9")
    }
