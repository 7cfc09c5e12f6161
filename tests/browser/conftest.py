"""Playwright driving Debian's chromium against the live test server.

Never `playwright install`: the browser is Debian's /usr/bin/chromium. Locally a missing chromium
skips these tests with a loud message; under CI=true it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "src/iomshare/web/public/assets/vendor/axe.min.js"


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"BROWSER TESTS NOT RUN: no chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    warnings.warn(message, stacklevel=1)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    violations = page.csp_violations
    context.close()
    assert not violations, f"the page broke its content security policy: {violations}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page) -> None:
    """axe-core (vendored from npm) finds no serious or critical violations on the current page."""
    page.add_script_tag(url="/assets/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    assert not serious, json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in serious],
        indent=2,
    )


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def reseed_reference_data() -> None:
    """Put back what migrations seed: transactional tests flush every table when they end.

    Categories, purposes and legal gateways, the starter vocabulary and forms, and the default
    retention schedules: each by its own seeding code, so a browser test sees what a new install has.
    """
    import importlib

    from django.apps import apps

    from iomshare.forms.definitions import load_starter_forms
    from iomshare.records.models import Category
    from iomshare.records.taxonomy import STARTER_CATEGORIES
    from iomshare.vocabulary.starter import load_starter_vocabulary

    for code, name, description in STARTER_CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "description": description})
    importlib.import_module("iomshare.protocols.migrations.0002_reference_lists").seed(apps, None)
    load_starter_vocabulary(apps.get_model)
    load_starter_forms(apps.get_model)
    importlib.import_module("iomshare.retention.migrations.0002_default_schedules").seed(apps, None)
    importlib.import_module("iomshare.retention.migrations.0003_meeting_minutes_schedule").seed(apps, None)
    from iomshare.alerts.signals_starter import load_starter_signals

    load_starter_signals(apps.get_model)


def open_notification(page, saying: str) -> None:
    """Open the notification whose message says `saying`, from the notifications page."""
    page.goto("/notifications/")
    row = page.get_by_test_id("notifications").get_by_role("row").filter(has_text=saying)
    row.get_by_role("button", name="Open this notification").click()
