"""Read and acknowledge: each party's staff acknowledge the version in force once; a new version
is read afresh; managers and IG leads see their agency's acknowledgements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Role
from iomshare.protocols import acknowledgements, services
from iomshare.protocols.models import Acknowledgement, ProtocolStatus
from tests.factories import AgencyFactory, StaffMemberFactory, active_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol(police, probation):
    return active_protocol()


def test_staff_of_a_party_acknowledge_the_version_in_force_once(protocol, officer):
    assert [(r.protocol, r.acknowledged_at) for r in acknowledgements.versions_to_read(officer)] == [
        (protocol, None)
    ]
    made = acknowledgements.acknowledge(protocol, by=officer)
    assert (made.staff_member, made.protocol) == (officer, protocol)
    with pytest.raises(InvalidInput):
        acknowledgements.acknowledge(protocol, by=officer)
    assert Acknowledgement.objects.count() == 1
    assert acknowledgements.versions_to_read(officer)[0].acknowledged_at == made.acknowledged_at


def test_a_new_version_is_read_afresh(protocol, officer):
    acknowledgements.acknowledge(protocol, by=officer)
    lead = StaffMemberFactory._meta.model.objects.get(username="police.ig")
    draft = services.new_version(protocol, by=lead)
    for agency in draft.parties.all():
        services.approve_protocol(
            draft, by=StaffMemberFactory._meta.model.objects.get(username=f"{agency.code}.ig")
        )
    draft.refresh_from_db()
    assert draft.status == ProtocolStatus.ACTIVE
    [to_read] = acknowledgements.versions_to_read(officer)
    assert to_read.protocol == draft and to_read.acknowledged_at is None
    with pytest.raises(NotPermitted):  # the old version is no longer in force
        acknowledgements.acknowledge(protocol, by=officer)
    acknowledgements.acknowledge(draft, by=officer)
    assert Acknowledgement.objects.filter(staff_member=officer).count() == 2


def test_only_staff_of_a_party_acknowledge_and_only_a_version_in_force(protocol, officer):
    outsider = StaffMemberFactory(username="outsider", agency=AgencyFactory(code="council"))
    system = StaffMemberFactory(username="feed", agency=officer.agency, role=Role.SYSTEM)
    for by in (outsider, system):
        with pytest.raises(NotPermitted):
            acknowledgements.acknowledge(protocol, by=by)
    protocol.status = ProtocolStatus.SUSPENDED
    protocol.save()
    with pytest.raises(NotPermitted):
        acknowledgements.acknowledge(protocol, by=officer)
    assert not Acknowledgement.objects.exists()


def test_the_page_asks_to_confirm_then_records_it(client, protocol, officer):
    client.force_login(officer)
    url = reverse("protocols:acknowledge", args=[protocol.pk])
    page = client.get(url).content.decode()
    assert protocol.title in page and "shares offending history" in page
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Confirm that you have read and understood the protocol" in refused.content.decode()
    assert not Acknowledgement.objects.exists()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert Acknowledgement.objects.filter(staff_member=officer, protocol=protocol).exists()
    assert "You acknowledged this version" in client.get(url).content.decode()


def test_the_agency_s_ig_lead_and_manager_see_who_acknowledged(client, protocol, officer, probation_officer):
    acknowledgements.acknowledge(protocol, by=officer)
    acknowledgements.acknowledge(protocol, by=probation_officer)
    lead = StaffMemberFactory._meta.model.objects.get(username="police.ig")
    client.force_login(lead)
    page = client.get(reverse("protocols:read-by-staff")).content.decode()
    assert "Priya Shah" in page and "Owen Jones" not in page
    assert "1 of 2 have read and acknowledged it" in page  # the officer, not the IG lead yet
    client.force_login(officer)
    assert client.get(reverse("protocols:read-by-staff")).status_code == 403
