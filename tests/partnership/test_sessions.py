"""The session policy: 30 minutes idle, 12 hours absolute, sign-out everywhere, one's sessions listed,
and cookies and headers safe by default whenever DEBUG is off."""

import datetime as dt
import os
import subprocess
import sys

import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("web:sign-in"))


def test_thirty_minutes_without_a_request_ends_the_session(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        assert client.get(reverse("people:cohort")).status_code == 200
        clock.shift(dt.timedelta(minutes=29, seconds=50))
        assert client.get(reverse("people:cohort")).status_code == 200  # activity restarts the clock
        clock.shift(dt.timedelta(minutes=29, seconds=50))
        assert client.get(reverse("people:cohort")).status_code == 200
        clock.shift(dt.timedelta(minutes=30))
        response = client.get(reverse("people:cohort"))
        assert is_signed_out(response)
        assert "next=%2Fcohort%2F" in response["Location"]
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out after 30 minutes without activity" in page
        assert "_auth_user_id" not in client.session


def test_twelve_hours_after_sign_in_the_session_ends_however_active(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
        for _ in range(11 * 3 + 2):  # a request every 20 minutes until 11h40
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("people:cohort")).status_code == 200
        clock.shift(dt.timedelta(minutes=20))
        response = client.get(reverse("people:cohort"))
        assert is_signed_out(response)
        assert "you signed in more than 12 hours ago" in client.get(response["Location"]).content.decode()


def test_the_session_status_does_not_count_as_activity_but_staying_signed_in_does(client, officer):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer)
        client.get(reverse("people:cohort"))
        clock.shift(dt.timedelta(minutes=28))
        status = client.get(reverse("partnership:session-status"), headers={"Accept": "application/json"})
        assert status.json() == {"signed_in": True, "seconds_left": 120}
        kept = client.post(reverse("partnership:session-status"), headers={"Accept": "application/json"})
        assert kept.json()["seconds_left"] == 30 * 60
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("people:cohort")).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        ended = client.get(reverse("partnership:session-status"), headers={"Accept": "application/json"})
        assert ended.status_code == 401 and ended.json()["signed_in"] is False


def test_sign_out_everywhere_ends_every_session_of_the_account(officer, probation_officer):
    laptop, phone, colleague = Client(), Client(), Client()
    laptop.force_login(officer)
    phone.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    colleague.force_login(probation_officer)
    for browser in (laptop, phone, colleague):
        assert browser.get(reverse("people:cohort")).status_code == 200
    response = phone.post(reverse("partnership:sign-out-everywhere"))
    assert is_signed_out(response)
    assert is_signed_out(laptop.get(reverse("people:cohort")))
    assert is_signed_out(phone.get(reverse("people:cohort")))
    assert colleague.get(reverse("people:cohort")).status_code == 200
    # Signing in again works as usual.
    laptop.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    assert laptop.get(reverse("people:cohort")).status_code == 200


def test_the_account_page_lists_ones_own_sessions_and_no_one_elses(officer, probation_officer):
    first = Client(HTTP_USER_AGENT="Firefox on the office PC")
    second = Client(HTTP_USER_AGENT="Edge on a laptop")
    other = Client(HTTP_USER_AGENT="Safari of probation")
    first.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    second.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    other.post(reverse("web:sign-in"), {"login": "po", "password": TEST_PASSWORD})
    page = first.get(reverse("partnership:account")).content.decode()
    assert "Firefox on the office PC" in page and "Edge on a laptop" in page
    assert "Safari of probation" not in page
    assert page.count("This browser") == 1


def test_cookies_are_secure_httponly_and_host_prefixed_and_hsts_is_sent_when_debug_is_off(client, officer):
    response = client.post(
        reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD}, secure=True
    )
    session_cookie = response.cookies["__Host-iomshare-session"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["path"] == "/" and not session_cookie["domain"]
    assert session_cookie["samesite"] == "Lax"
    page = client.get(reverse("web:sign-in"), secure=True)
    csrf_cookie = page.cookies["__Host-iomshare-csrf"]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"]
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _settings_in_a_fresh_process(tmp_path, **env) -> dict[str, str]:
    code = (
        "import os, json; os.environ['DJANGO_SETTINGS_MODULE']='iomshare.settings'; from django.conf import settings; "
        "print(json.dumps({k: getattr(settings, k) for k in ('SESSION_COOKIE_SECURE', 'SESSION_COOKIE_NAME', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS')}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "IOMSHARE_PLAIN_HTTP_DEMO", "SECURE_COOKIES"}
    }
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"IOMSHARE_VAR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(run.stdout)


def test_secure_cookies_and_hsts_are_the_default_and_only_the_plain_http_demo_relaxes_them(tmp_path):
    default = _settings_in_a_fresh_process(tmp_path)
    assert default == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-iomshare-session",
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
    demo = _settings_in_a_fresh_process(tmp_path, IOMSHARE_PLAIN_HTTP_DEMO="1")
    assert demo["SESSION_COOKIE_SECURE"] is False and demo["SESSION_COOKIE_NAME"] == "sessionid"
    assert demo["SECURE_HSTS_SECONDS"] == 0
