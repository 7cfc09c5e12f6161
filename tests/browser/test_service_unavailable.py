"""When the database is too busy, a person sees the GOV.UK "Sorry, there is a problem" page."""

import psycopg
import pytest
from django.db.utils import OperationalError

from iomshare.people import views as people_views
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lock_timeout(*args, **kwargs):
    """What Django raises when PostgreSQL gives up waiting for a lock (lock_timeout)."""
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    raise error


def test_a_lock_timeout_shows_the_sorry_page_with_a_reference_to_quote(page, monkeypatch):
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    StaffMemberFactory(username="officer", agency=police)
    sign_in(page, "officer", TEST_PASSWORD)
    # The search's query meets a locked table (the fault is injected; the 503 path is the real one).
    monkeypatch.setattr(people_views.selectors, "search_cohort", _lock_timeout)
    response = page.goto("/cohort/?q=smith")
    assert response.status == 503
    assert response.headers["retry-after"] == "5"
    assert page.get_by_role("heading", level=1).inner_text() == "Sorry, there is a problem with the service"
    reference = page.locator(".iom-request-id").inner_text()
    assert reference == response.headers["x-request-id"]
    assert page.title() == "Sorry, there is a problem with the service – iomshare"
    screenshot(page, "service-unavailable")
    assert_accessible(page)
