"""The demo stays a one-command start with second factors required: a published, demo-only TOTP secret."""

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from iomshare.demo import DEMO_PASSWORD
from iomshare.partnership.demo_second_factor import DEMO_TOTP_SECRET, current_demo_code
from iomshare.partnership.models import Role, StaffMember


@pytest.mark.django_db
@pytest.mark.usefixtures("second_factor_required")
def test_the_demo_prints_its_published_totp_secret_and_its_accounts_sign_in_with_it():
    out = io.StringIO()
    call_command("demo", "--people", "12", "--items", "100", stdout=out)
    output = out.getvalue()
    assert DEMO_TOTP_SECRET in output and "DEMO ONLY: this secret is public" in output
    people = StaffMember.objects.exclude(role=Role.SYSTEM)
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).count() == people.count()

    browser = Client()
    username = people.exclude(role=Role.ADMIN).first().username
    response = browser.post(reverse("web:sign-in"), {"login": username, "password": DEMO_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    code = io.StringIO()
    call_command("demo-code", stdout=code, stderr=io.StringIO())
    assert code.getvalue().split()[0] == current_demo_code()
    assert browser.post(reverse("mfa_authenticate"), {"code": current_demo_code()}).status_code == 302
    assert browser.get(reverse("people:cohort")).status_code == 200
