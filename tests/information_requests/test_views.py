"""The pages: asking, the IG lead's decision, my requests and the gap report, with their permissions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.alerts.models import Notification
from iomshare.information_requests import services
from iomshare.information_requests.models import InformationRequest, RequestStatus
from iomshare.ledger.models import Action, LedgerEntry
from tests.days import on_the_day
from tests.factories import StaffMemberFactory
from tests.information_requests.conftest import JUSTIFICATION, ask


def form(**overrides):
    return {
        "holding_agency": "police",
        "category": "intelligence",
        "purpose": "risk_management",
        "legal_gateway": "cda-1998-s115",
        "justification": JUSTIFICATION,
        "urgency": "routine",
    } | overrides


def expiry(day):
    return {"expires_on-day": day.day, "expires_on-month": day.month, "expires_on-year": day.year}


def test_the_request_page_is_prefilled_from_the_withheld_panel_and_says_why(
    client, probation_officer, police, person
):
    client.force_login(probation_officer)
    url = reverse("information_requests:new")
    response = client.get(
        url,
        {"person": person.pk, "agency": "police", "category": "intelligence", "purpose": "risk_management"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="police" selected>' in page and '<option value="intelligence" selected>' in page
    assert '<option value="risk_management" selected>' in page
    assert "No protocol in force covers risk management" in page


def test_the_legal_gateway_is_chosen_from_the_protocol_for_the_purpose_and_explained(
    client, probation_officer, police, person
):
    from iomshare.protocols.models import LegalGateway
    from tests.factories import active_protocol

    protocol = active_protocol(legal_gateways=["dpa-2018-part-3"])
    client.force_login(probation_officer)
    response = client.get(
        reverse("information_requests:new"),
        {"person": person.pk, "agency": "police", "category": "intelligence", "purpose": "risk_management"},
    )
    page = response.content.decode()
    gateway = LegalGateway.objects.get(code="dpa-2018-part-3")
    assert '<option value="dpa-2018-part-3" selected>' in page
    hint = page.split('data-testid="gateway-hint">')[1].split("</div>")[0]
    assert f"{protocol.title} relies on {gateway.title} for this purpose" in hint
    assert "Change it only if another law applies" in hint


def test_no_gateway_is_chosen_when_no_protocol_covers_the_purpose(client, probation_officer, police, person):
    client.force_login(probation_officer)
    response = client.get(
        reverse("information_requests:new"),
        {"person": person.pk, "agency": "police", "category": "intelligence", "purpose": "risk_management"},
    )
    page = response.content.decode()
    assert " selected>" not in page.split('id="legal_gateway"')[1].split("</select>")[0]
    assert "No protocol between your agencies covers this purpose" in page


def test_the_request_page_without_a_person_is_not_found(client, probation_officer):
    client.force_login(probation_officer)
    assert client.get(reverse("information_requests:new")).status_code == 404
    assert client.get(reverse("information_requests:new"), {"person": "nobody"}).status_code == 404


def test_sending_a_request_records_it_and_tells_the_ig_lead(client, probation_officer, police_ig, person):
    client.force_login(probation_officer)
    response = client.post(reverse("information_requests:new"), {"person": person.pk, **form()})
    made = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{made.pk}/"
    assert Notification.objects.filter(recipient=police_ig, link=f"/requests/{made.pk}/").exists()
    page = client.get(reverse("information_requests:mine")).content.decode()
    assert f"#{made.pk}" in page and "Awaiting decision" in page


def test_bad_input_shows_an_error_summary_in_form_order_and_sends_nothing(
    client, probation_officer, police, person
):
    client.force_login(probation_officer)
    response = client.post(
        reverse("information_requests:new"),
        {"person": person.pk, **form(justification="short", legal_gateway="", holding_agency="")},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert (
        page.index('href="#holding_agency"')
        < page.index('href="#legal_gateway"')
        < page.index('href="#justification"')
    )
    assert "<title>Error:" in page
    assert not InformationRequest.objects.exists()


def test_the_ig_lead_sees_the_queue_and_approves_chosen_items(
    client, probation_officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    client.force_login(police_ig)
    queue = client.get(reverse("information_requests:queue")).content.decode()
    assert f"#{request.pk}" in queue and "Owen Jones, Probation Service North" in queue
    detail = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert "Seen with a knife" in detail and "Associates named" in detail
    assert "Custody record" not in detail  # another category
    assert JUSTIFICATION in detail
    response = client.post(
        reverse("information_requests:approve", args=[request.pk]),
        {
            "item_ids": [str(intelligence_items[1].pk)],
            **expiry(timezone.localdate() + dt.timedelta(days=14)),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert [a.item_id for a in request.approved_items.all()] == [intelligence_items[1].pk]


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        (lambda today: {"action": "approve", **expiry(today)}, "Select at least one item to disclose"),
        (
            {
                "action": "approve",
                "item_ids": "first",
                "expires_on-day": "31",
                "expires_on-month": "2",
                "expires_on-year": "2027",
            },
            "must be a real date",
        ),
        ({"action": "approve", "item_ids": "first", "expires_on-day": "1"}, "must include a month and year"),
        ({"action": "refuse", "reason": ""}, "Enter the reason for refusing"),
    ],
)
def test_a_bad_decision_shows_the_error_and_changes_nothing(
    client, probation_officer, police_ig, person, intelligence_items, data, field_message
):
    data = on_the_day(data)
    request = ask(services, probation_officer, person)
    if data.get("item_ids") == "first":
        data = data | {"item_ids": [str(intelligence_items[0].pk)]}
    client.force_login(police_ig)
    data = dict(data)
    action = data.pop("action")  # each decision has its own page
    response = client.post(reverse(f"information_requests:{action}", args=[request.pk]), data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_DECISION
    assert not LedgerEntry.objects.filter(
        action__in=[Action.REQUEST_APPROVED, Action.REQUEST_REFUSED]
    ).exists()


def test_the_requester_cannot_approve_their_own_request(
    client, probation_officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    client.force_login(probation_officer)
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert "Approve and disclose" not in page and "Seen with a knife" not in page
    response = client.post(
        reverse("information_requests:approve", args=[request.pk]),
        {"item_ids": [str(intelligence_items[0].pk)], **expiry(timezone.localdate())},
    )
    assert response.status_code == 403
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.AWAITING_DECISION


def test_someone_else_cannot_see_a_request_at_all(client, probation_officer, officer, person, police_ig):
    request = ask(services, probation_officer, person)
    client.force_login(officer)  # police, but not its IG lead
    assert client.get(reverse("information_requests:detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("information_requests:queue")).status_code == 403


def test_the_requester_reads_the_refusal(client, probation_officer, police_ig, person):
    request = ask(services, probation_officer, person)
    services.refuse_request(request, by=police_ig, reason="Live operation: disclosure would prejudice it.")
    client.force_login(probation_officer)
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert "Refused" in page and "Live operation" in page


def test_only_ig_leads_and_the_partnership_manager_see_the_gap_report(
    client, probation_officer, police_ig, person
):
    ask(services, probation_officer, person)
    client.force_login(probation_officer)
    assert client.get(reverse("information_requests:gap-report")).status_code == 403
    assert client.get(reverse("information_requests:gap-report-csv")).status_code == 403
    client.force_login(police_ig)
    page = client.get(reverse("information_requests:gap-report")).content.decode()
    assert "1 request that no protocol provided for" in page
    assert "Risk management: Police intelligence, Probation Service North from Northshire Police" in page
    assert '<svg class="iom-bar-chart"' in page
    manager = StaffMemberFactory(username="pm", role="partnership_manager", agency=police_ig.agency)
    client.force_login(manager)
    assert client.get(reverse("information_requests:gap-report")).status_code == 200


def test_a_gap_report_with_bad_dates_explains_and_shows_no_counts(client, police_ig):
    client.force_login(police_ig)
    response = client.get(
        reverse("information_requests:gap-report"),
        {
            "start-day": "10",
            "start-month": "6",
            "start-year": "2026",
            "end-day": "1",
            "end-month": "6",
            "end-year": "2026",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "The last day must be the same as or after the first day" in page
    assert 'data-testid="gap-total"' not in page


def test_each_decision_has_its_own_page_and_the_request_page_posts_to_them(
    client, probation_officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    client.force_login(police_ig)
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    assert f'action="{reverse("information_requests:approve", args=[request.pk])}"' in page
    assert f'action="{reverse("information_requests:refuse", args=[request.pk])}"' in page
    assert 'name="action"' not in page
    refuse = reverse("information_requests:refuse", args=[request.pk])
    assert client.get(refuse).status_code == 405
    response = client.post(refuse, {"reason": ""})
    assert response.status_code == 400 and "Enter the reason for refusing" in response.content.decode()
    assert "<title>Error: Request" in response.content.decode()
    response = client.post(refuse, {"reason": "Live operation: disclosure would prejudice it."})
    assert response.status_code == 302
    assert response["Location"] == reverse("information_requests:detail", args=[request.pk])
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.REFUSED


def test_an_approval_is_withdrawn_on_its_own_page(
    client, probation_officer, police_ig, person, intelligence_items
):
    request = ask(services, probation_officer, person)
    client.force_login(police_ig)
    approve = reverse("information_requests:approve", args=[request.pk])
    client.post(
        approve,
        {"item_ids": [str(intelligence_items[0].pk)], **expiry(timezone.localdate() + dt.timedelta(days=7))},
    )
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.APPROVED
    page = client.get(reverse("information_requests:detail", args=[request.pk])).content.decode()
    withdraw = reverse("information_requests:withdraw", args=[request.pk])
    assert f'action="{withdraw}"' in page
    response = client.post(withdraw, {"withdraw_reason": "The operation it served has ended early."})
    assert response.status_code == 302
    assert InformationRequest.objects.get(pk=request.pk).status != RequestStatus.APPROVED
