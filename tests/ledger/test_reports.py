# ruff: noqa: S608 (tampering is SQL on our own table names, by design)
"""Ledger reports: who may run them, date filters, keyset pages, CSV safety, and their own entries."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from iomshare.ledger import selectors, services
from iomshare.ledger.downloads import safe_cell
from iomshare.ledger.models import Action, LedgerEntry
from iomshare.partnership.models import Role
from iomshare.records import selectors as records
from tests.factories import InformationItemFactory, StaffMemberFactory
from tests.ledger.conftest import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def ig_lead(police):
    return StaffMemberFactory(username="ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def manager(probation):
    return StaffMemberFactory(username="manager", agency=probation, role=Role.PARTNERSHIP_MANAGER)


@pytest.fixture
def views(officer, person):
    """Five views of the person by the officer, a day apart (oldest first)."""
    item = InformationItemFactory(person=person, holding_agency=officer.agency, author=officer)
    made = [records.picture_for(officer, person, purpose=None) for _ in range(5)]
    assert len(made) == 5
    base = timezone.now() - dt.timedelta(days=10)
    for n, entry in enumerate(LedgerEntry.objects.filter(action=Action.VIEW).order_by("id")):
        tamper(
            f"UPDATE {LedgerEntry._meta.db_table} SET at = %s WHERE id = %s",
            [base + dt.timedelta(days=n), entry.pk],
        )
    return item


def url(kind, key, **params):
    return reverse("ledger:report", args=[kind, key]), params


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.VOLUNTEER, Role.ADMIN])
def test_only_ig_leads_and_partnership_managers_may_run_reports(client, police, person, role):
    client.force_login(StaffMemberFactory(agency=police, role=role))
    response = client.get(reverse("ledger:report", args=["people", person.id]))
    assert response.status_code == 403
    assert "Only information-governance leads and partnership managers" in response.content.decode()
    assert client.get(reverse("ledger:home")).status_code == 403
    assert not LedgerEntry.objects.filter(action=Action.REPORT).exists()


def test_an_ig_lead_of_no_agency_runs_no_report_and_sees_no_accounts(client, police, person):
    # An IG lead answers for one agency's information: an account linked to none is refused, rather
    # than shown the staff whose agency is also "none" (the system accounts).
    StaffMemberFactory(username="system.account", agency=None, role=Role.SYSTEM)
    client.force_login(StaffMemberFactory(username="orphan.ig", agency=None, role=Role.IG_LEAD))
    home = client.get(reverse("ledger:home"))
    assert home.status_code == 403 and "system.account" not in home.content.decode()
    assert client.get(reverse("ledger:report", args=["people", person.id])).status_code == 403
    assert not LedgerEntry.objects.filter(action=Action.REPORT).exists()


def test_an_ig_lead_reads_only_their_own_agencys_disclosure_log_and_staff(
    client, ig_lead, probation, probation_officer, officer
):
    client.force_login(ig_lead)
    assert client.get(reverse("ledger:report", args=["agencies", probation.code])).status_code == 403
    assert client.get(reverse("ledger:report", args=["staff", probation_officer.pk])).status_code == 403
    assert client.get(reverse("ledger:report", args=["staff", officer.pk])).status_code == 200


def test_the_person_report_shows_who_saw_what_and_is_itself_recorded(client, ig_lead, person, views, officer):
    client.force_login(ig_lead)
    response = client.get(reverse("ledger:report", args=["people", person.id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Viewed") == 5 and "officer, Northshire Police" in html
    (entry,) = LedgerEntry.objects.filter(action=Action.REPORT)
    assert entry.person_id == person.id and entry.actor_id == ig_lead.pk
    assert entry.details["report"] == "people" and entry.details["format"] == "html"


def test_the_date_filter_keeps_whole_days(ig_lead, person, views):
    days = sorted(e.at for e in LedgerEntry.objects.filter(action=Action.VIEW))
    local = [timezone.localtime(at).date() for at in days]
    dates = selectors.DateRange(local[1], local[3])
    page = selectors.report_page("people", person.id, dates)
    assert [timezone.localtime(e.at).date() for e in page.entries] == [local[3], local[2], local[1]]


def test_a_bad_date_gets_a_govuk_error_summary(client, ig_lead, person, views):
    client.force_login(ig_lead)
    response = client.get(
        reverse("ledger:report", args=["people", person.id]),
        {
            "start-day": "31",
            "start-month": "2",
            "start-year": "2025",
            "end-day": "1",
            "end-month": "1",
            "end-year": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert "The start date must be a real date" in html and "The end date must include a year" in html
    assert not LedgerEntry.objects.filter(action=Action.REPORT).exists()


def test_an_end_before_the_start_is_refused(client, ig_lead, person):
    client.force_login(ig_lead)
    response = client.get(
        reverse("ledger:report", args=["people", person.id]),
        {
            "start-day": "2",
            "start-month": "3",
            "start-year": "2025",
            "end-day": "1",
            "end-month": "3",
            "end-year": "2025",
        },
    )
    assert (
        response.status_code == 400
        and "must be the same as or after the start date" in response.content.decode()
    )


def test_keyset_pages_cover_every_entry_once_newest_first(person, views):
    everything = list(LedgerEntry.objects.filter(person_id=person.id).order_by("-at", "-id"))
    seen, after = [], None
    while True:
        page = selectors.report_page("people", person.id, selectors.DateRange(), after=after, limit=2)
        seen += page.entries
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == everything


def test_a_forged_page_cursor_is_a_clear_error(client, ig_lead, person, views):
    client.force_login(ig_lead)
    response = client.get(reverse("ledger:report", args=["people", person.id]), {"after": "not-a-cursor"})
    assert response.status_code == 400 and "Start again from the first page" in response.content.decode()


def test_the_staff_report_lists_everything_they_accessed(ig_lead, officer, person, views):
    records.picture_for(ig_lead, person, purpose=None)
    page = selectors.report_page("staff", officer.pk, selectors.DateRange())
    assert {e.actor_id for e in page.entries} == {officer.pk}
    assert sum(e.action == Action.VIEW for e in page.entries) == 5


def test_the_agency_disclosure_log_lists_only_disclosures_to_other_agencies(
    manager, officer, probation_officer, person, views
):
    police_item = views
    services.record(
        Action.SHARING_DECISION,
        by=probation_officer,
        person=person,
        items=[police_item],
        clauses=["isp-3/4"],
        outcome="allowed",
    )
    page = selectors.report_page("agencies", "police", selectors.DateRange())
    (entry,) = page.entries  # the police officer's own views are not disclosures
    assert entry.actor_agency == "probation" and entry.clauses == ["isp-3/4"]


def test_csv_download_has_every_row_and_is_safe_from_formula_injection(client, ig_lead, person, officer):
    services.record(
        Action.SEARCH,
        by=officer,
        person=person,
        details={"terms": {"q": '=HYPERLINK("http://x")'}},
        purpose="+cmd",
    )
    client.force_login(ig_lead)
    response = client.get(reverse("ledger:report-csv", args=["people", person.id]))
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["action"] for row in rows] == ["report", "search"]  # the download is on its own report
    assert rows[1]["purpose"] == "'+cmd" and rows[1]["details"].startswith('{"terms"')
    assert response["Content-Disposition"].startswith("attachment;")
    assert LedgerEntry.objects.filter(action=Action.REPORT, details__contains="csv").count() == 1


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_would_run_as_formulas_are_quoted(text):
    assert safe_cell(text) == "'" + text


def test_ordinary_cells_are_left_alone():
    assert safe_cell("police") == "police" and safe_cell(None) == ""


def test_the_reports_work_through_the_api(client, ig_lead, person, views):
    from iomshare.partnership.tokens import issue_token

    _token, secret = issue_token(for_staff=ig_lead, name="ig tooling", by=None)
    auth = {"Authorization": f"Bearer {secret}"}
    first = client.get(f"/api/v1/ledger/persons/{person.id}/entries", {"limit": 3}, headers=auth).json()
    assert len(first["results"]) == 3 and first["next"]
    second = client.get(
        f"/api/v1/ledger/persons/{person.id}/entries", {"limit": 3, "after": first["next"]}, headers=auth
    ).json()
    ids = [e["id"] for e in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 5
    assert LedgerEntry.objects.filter(action=Action.REPORT, channel="api").count() == 2


def test_the_api_refuses_reports_to_practitioners_with_a_problem(client, officer, person):
    from iomshare.partnership.tokens import issue_token

    _token, secret = issue_token(for_staff=officer, name="case system", by=None)
    response = client.get(
        f"/api/v1/ledger/persons/{person.id}/entries", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403
    assert "information-governance leads" in response.json()["detail"]


def test_the_api_rejects_an_end_before_the_start(client, ig_lead, person):
    from iomshare.partnership.tokens import issue_token

    _token, secret = issue_token(for_staff=ig_lead, name="ig tooling", by=None)
    response = client.get(
        f"/api/v1/ledger/persons/{person.id}/entries",
        {"start": "2025-03-02", "end": "2025-03-01"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422


def test_the_report_names_purposes_clauses_and_agencies_in_plain_words(client, ig_lead, person, officer):
    """Issue 20: no `protocol:...:clause:3`, `risk_management` or agency code where a person reads."""
    from tests.factories import active_protocol
    from tests.side_doors.plain_words import raw_codes

    protocol = active_protocol()
    item = InformationItemFactory(person=person, holding_agency=officer.agency, author=officer)
    services.record(
        Action.VIEW,
        by=officer,
        purpose="risk_management",
        person=person,
        items=[item],
        clauses=[f"protocol:{protocol.reference}:v1:clause:1"],
    )
    client.force_login(ig_lead)
    response = client.get(reverse("ledger:report", args=["people", person.id]))
    html = response.content.decode()
    assert f"{protocol.title} (version 1), clause 1" in html
    assert "Risk management" in html and "held by Northshire Police" in html
    assert raw_codes("/ledger/", response, response.content) == []
