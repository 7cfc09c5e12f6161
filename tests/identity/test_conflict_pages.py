"""The needs-attention page: a ruling on any two of its records, and closing the case, each its own POST."""

from iomshare.identity import services
from iomshare.identity.models import Confidence, ConflictCase, MatchDecision, Outcome
from tests.identity.test_resolution import JORDAN


def _conflict(receive, reviewer) -> ConflictCase:
    receive("police", "POL-1", **JORDAN, identifiers={"pnc": "2012/0012345A"})
    receive("health", "GP-1", **JORDAN, identifiers={"nhs": "9434765919"})
    receive("council", "HOU-1", **JORDAN, identifiers={"nhs": "9990000018"})
    services.link_records(by=reviewer)
    return ConflictCase.objects.get()


def test_a_ruling_on_two_records_of_a_conflict_needs_two_of_its_records_and_a_reason(
    client, receive, reviewer, active_model
):
    case = _conflict(receive, reviewer)
    first, second = case.records.order_by("pk")[:2]
    client.force_login(reviewer)
    url = f"/identity/attention/{case.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and f'action="{url}close/"' in page.content.decode()
    refused = client.post(url, {"record_a": str(first.pk), "record_b": "0", "outcome": Outcome.DIFFERENT})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "<title>Error: Records that need attention" in page and 'href="#record_a"' in page
    assert "Select two of the records listed" in page
    decided = client.post(
        url,
        {
            "record_a": str(first.pk),
            "record_b": str(second.pk),
            "outcome": Outcome.DIFFERENT,
            "confidence": Confidence.CERTAIN,
            "rationale": "Checked with the GP: not the same man",
        },
    )
    assert decided.status_code == 302 and decided["Location"] == url
    assert MatchDecision.objects.filter(rationale="Checked with the GP: not the same man").exists()


def test_closing_a_conflict_needs_a_note_and_has_its_own_address(client, receive, reviewer, active_model):
    case = _conflict(receive, reviewer)
    client.force_login(reviewer)
    close = f"/identity/attention/{case.pk}/close/"
    assert client.get(close).status_code == 405
    refused = client.post(close, {"note": "  "})
    assert refused.status_code == 400 and "Enter what was decided" in refused.content.decode()
    case.refresh_from_db()
    assert case.resolved_at is None
    assert client.post(close, {"note": "Two people: NHS spine checked"}).status_code == 302
    case.refresh_from_db()
    assert case.resolved_at is not None and case.resolution_note == "Two people: NHS spine checked"
