"""The pages: every one answers only IG leads of agencies taking part; the PDF carries only releases."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from iomshare.partnership.models import Role
from iomshare.records import selectors as records
from iomshare.subject_access import services
from iomshare.subject_access.models import Exemption, Outcome
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_no_ig_lead_reads_another_agencys_items_about_a_person_without_a_request(
    client, charity_ig, person, holdings
):
    """Issue 12 point 1: the charity's IG lead opened a pack of police intelligence for anyone."""
    client.force_login(charity_ig)
    for url in (
        f"/ledger/people/{person.id}/subject-access/",
        f"/ledger/people/{person.id}/subject-access.json",
        f"/api/v1/ledger/persons/{person.id}/subject-access",
    ):
        body = client.get(url).content.decode()
        assert "MARKER-" not in body, url


@pytest.fixture
def assembled(person, police_ig, probation_ig, holdings, received_on):
    sar = services.record_request(person, received_on=received_on, made_by="person", by=police_ig)
    services.record_identity_check(sar, checked_on=received_on, method="Passport seen", by=police_ig)
    for key in ("intelligence", "no_onward"):
        services.decide_item(
            sar,
            holdings[key].pk,
            outcome=Outcome.EXEMPT,
            exemption=Exemption.CRIME,
            fields=set(),
            by=police_ig,
        )
    services.decide_item(
        sar,
        holdings["risk"].pk,
        outcome=Outcome.REDACT,
        redacted_fields=["victim_name"],
        exemption=Exemption.THIRD_PARTY,
        fields={n for n, _ in records.item_fields(holdings["risk"])},
        by=probation_ig,
    )
    services.decide_item(
        sar, holdings["restricted"].pk, outcome=Outcome.RELEASE, fields=set(), by=probation_ig
    )
    services.confirm_response(sar, by=police_ig)
    services.confirm_response(sar, by=probation_ig)
    return services.assemble_pack(sar, by=police_ig)


def urls(sar, item_id):
    return [
        reverse("subject_access:detail", args=[sar.pk]),
        reverse("subject_access:identity", args=[sar.pk]),
        reverse("subject_access:extend", args=[sar.pk]),
        reverse("subject_access:review", args=[sar.pk]),
        reverse("subject_access:decide", args=[sar.pk, item_id]),
        reverse("subject_access:pack", args=[sar.pk]),
        reverse("subject_access:pack-pdf", args=[sar.pk]),
    ]


def test_staff_of_an_agency_without_a_part_get_404_and_others_403(
    client, assembled, charity_ig, holdings, police
):
    client.force_login(charity_ig)
    for url in urls(assembled, holdings["risk"].pk):
        response = client.get(url)
        assert response.status_code == 404 and b"Whitlock" not in response.content, url
    client.force_login(StaffMemberFactory(agency=police, role=Role.PRACTITIONER))
    for url in urls(assembled, holdings["risk"].pk):
        response = client.get(url)
        assert response.status_code == 403 and b"MARKER" not in response.content, url


def test_a_controller_cannot_open_the_coordinators_pack_or_another_agencys_item(
    client, assembled, probation_ig, holdings
):
    client.force_login(probation_ig)
    assert client.get(reverse("subject_access:pack", args=[assembled.pk])).status_code == 403
    assert client.get(reverse("subject_access:pack-pdf", args=[assembled.pk])).status_code == 403
    other = client.get(reverse("subject_access:decide", args=[assembled.pk, holdings["intelligence"].pk]))
    assert other.status_code in (400, 404) and b"MARKER-police" not in other.content


def test_the_list_shows_requests_to_the_agencies_taking_part_only(
    client, assembled, probation_ig, charity_ig
):
    client.force_login(probation_ig)
    assert assembled.reference.encode() in client.get(reverse("subject_access:index")).content
    client.force_login(charity_ig)
    assert assembled.reference.encode() not in client.get(reverse("subject_access:index")).content


def test_the_pdf_pack_holds_the_letter_and_only_the_released_records(client, assembled, police_ig):
    client.force_login(police_ig)
    response = client.get(reverse("subject_access:pack-pdf", args=[assembled.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # lines wrap anywhere
    assert "Dear Jordan Whitlock" in text
    assert "DPA 2018 Schedule 2 paragraph 2 (crime and taxation)" in text
    assert "MARKER-probation-risk-summary" in text and "MARKER-probation-restricted" in text
    assert "[Redacted]" in text and "MARKER-victim" not in text
    assert "MARKER-police" not in text
    assert "OFFICIAL-SENSITIVE" in text


def test_release_through_the_check_page_needs_a_date(client, assembled, police_ig):
    client.force_login(police_ig)
    url = reverse("subject_access:pack", args=[assembled.pk])
    response = client.post(url, {})
    assert response.status_code == 400 and "Enter the date the pack was sent" in response.content.decode()
    today = timezone.localdate()
    response = client.post(
        url, {"sent_on-day": today.day, "sent_on-month": today.month, "sent_on-year": today.year}
    )
    assert response.status_code == 302
    assembled.refresh_from_db()
    assert assembled.released_on == today


def test_recording_a_request_from_the_web_form(client, police_ig, person, holdings):
    client.force_login(police_ig)
    url = reverse("subject_access:new", args=[person.id])
    response = client.post(url, {"made_by": "person"})
    assert (
        response.status_code == 400 and "Enter the date the request was received" in response.content.decode()
    )
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "made_by": "person",
            "received_on-day": today.day,
            "received_on-month": today.month,
            "received_on-year": today.year,
        },
    )
    assert response.status_code == 302
