"""The sweep's own actions on the retention hub (issue 20): each run is recorded with its counts by
agency and kind, and the legal holds that stopped a disposal; the hub shows them with a chart."""

import datetime as dt

import pytest

from iomshare.people.visibility import known_people
from iomshare.retention import sweep, sweep_summary
from iomshare.retention.models import LegalHold, SweepOutcome, SweepRun
from tests.factories import PersonFactory
from tests.retention.conftest import category, item, schedule

TODAY = dt.date(2026, 11, 26)
LONG_AGO = dt.date(2019, 1, 1)


@pytest.fixture
def due_things(police, probation, person, police_lead):
    """Due for disposal: two police finance items (one about a held person), one probation finance
    item, one police contact item to anonymise."""
    schedule("finance", period=2, unit="years", trigger="recorded", action="dispose")
    schedule("contact", period=2, unit="years", trigger="recorded", action="anonymise")
    held = PersonFactory(given_name="Hal", family_name="Holden")
    item(person=person, agency=police, code="finance", recorded=LONG_AGO)
    item(person=held, agency=police, code="finance", recorded=LONG_AGO)
    item(person=person, agency=probation, code="finance", recorded=LONG_AGO)
    item(person=person, agency=police, code="contact", recorded=LONG_AGO)
    hold = LegalHold.objects.create(
        person=held, reason="Civil claim in progress", placed_by=police_lead, placing_agency=police
    )
    return {"held": held, "hold": hold}


def test_a_sweep_records_what_it_did_by_agency_and_kind(due_things, police, probation):
    result = sweep.sweep(TODAY)
    run = SweepRun.objects.get()
    assert run == result.run and run.finished_at is not None and run.day == TODAY
    assert (run.found, run.disposed, run.anonymised, run.held, run.queued_for_review) == (4, 2, 1, 1, 1)
    tallies = {
        (t.holding_agency.code, t.category.code, t.outcome): t.count for t in run.tallies.select_related()
    }
    assert tallies == {
        (police.code, "finance", SweepOutcome.DISPOSED): 1,
        (probation.code, "finance", SweepOutcome.DISPOSED): 1,
        (police.code, "contact", SweepOutcome.ANONYMISED): 1,
        (police.code, "finance", SweepOutcome.HELD): 1,
    }
    assert list(run.stopping_holds.all()) == [due_things["hold"]]


def test_counts_add_up_across_batches(due_things):
    sweep.sweep(TODAY, batch_size=1)
    run = SweepRun.objects.get()
    assert (run.disposed, run.anonymised, run.held) == (2, 1, 1)
    assert sum(t.count for t in run.tallies.all()) == 4


def test_a_dry_run_leaves_no_record(due_things):
    sweep.sweep(TODAY, dry_run=True)
    assert not SweepRun.objects.exists()


def test_the_summary_names_holds_only_on_people_the_viewer_may_know(
    due_things, police_lead, probation_lead, police, probation
):
    sweep.sweep(TODAY)
    summary = sweep_summary.sweep_summary(police_lead)
    assert summary.latest.disposed == 2 and summary.chart is not None
    finance = {(r.agency, r.disposed, r.held) for r in summary.rows if r.category == category("finance").name}
    assert finance == {(police.name, 1, 1), (probation.name, 1, 0)}
    assert summary.holds == [due_things["hold"]]
    # Only police hold anything about Hal Holden: probation's lead may not know him, nor his hold.
    assert not known_people(probation_lead).filter(pk=due_things["held"].pk).exists()
    assert sweep_summary.sweep_summary(probation_lead).holds == []


def test_the_hub_shows_the_last_sweep_with_a_chart_and_a_table(client, due_things, police_lead):
    client.force_login(police_lead)
    before = client.get("/retention/").content.decode()
    assert "The retention sweep has not run yet" in before
    sweep.sweep(TODAY)
    page = client.get("/retention/").content.decode()
    assert "It found 4 items due: it disposed of 2, anonymised 1" in page
    assert "1 of them because a legal hold stopped their disposal" in page
    assert 'src="data:image/svg+xml;base64,' in page
    runs = page.split('data-testid="sweep-runs"')[1].split("</table>")[0]
    assert ">2</td>" in runs and ">4</td>" in runs
    by_agency = page.split('data-testid="sweep-by-agency"')[1].split("</table>")[0]
    assert police_lead.agency.name in by_agency
    assert "Civil claim in progress" in page.split('data-testid="stopping-holds"')[1]
    assert f"/ledger/agency/{police_lead.agency.code}/" in page
