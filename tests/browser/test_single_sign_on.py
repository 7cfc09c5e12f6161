"""Signing in through one's agency provider, as a person meets it: the button on the sign-in page, the
provider (a real one on loopback, tests/partnership/oidc.py), and iomshare's own second factor after it."""

import pytest
from playwright.sync_api import expect

from iomshare.partnership.models import Role, StaffMember
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import AgencyFactory
from tests.partnership import oidc
from tests.partnership.test_single_sign_on import set_up_sign_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_in_with_the_agency_provider_from_the_sign_in_page(page, live_server, settings):
    settings.IOMSHARE_REQUIRE_SECOND_FACTOR = True
    police_client = oidc.client("iomshare-police", "northshire-police", host=live_server.url)
    with oidc.running_provider([police_client]) as provider:
        police = AgencyFactory(code="police", name="Northshire Police", kind="police")
        set_up_sign_on(police, provider.issuer, police_client, "northshire-police")
        provider.next_sign_in(
            "pc-2001", preferred_username="kpatel", given_name="Kiran", groups=["iom-officers"]
        )

        page.goto("/sign-in/")
        button = page.get_by_role("button", name="Sign in with Northshire Police")
        expect(button).to_be_visible()
        assert_accessible(page)
        screenshot(page, "sign-in-with-agency-provider")
        button.click()

        # The provider's sign-in said nothing of a second factor: iomshare asks for its own.
        page.wait_for_url("**/account/second-factor/")
        screenshot(page, "sign-in-with-agency-provider-then-second-factor")
    staff = StaffMember.objects.get(socialaccount__uid="pc-2001")
    assert (staff.agency.code, staff.role, staff.username) == ("police", Role.PRACTITIONER, "police.kpatel")
