"""Single sign-on through an agency's own OpenID Connect provider, against a real provider on loopback
(tests/partnership/oidc.py): claim mapping, matching, refusals, token checks and the provider's second factor."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.urls import reverse

from iomshare.errors import NotPermitted
from iomshare.ledger.models import Action, LedgerEntry, Outcome
from iomshare.partnership import single_sign_on
from iomshare.partnership.models import AgencySignOn, Role, StaffMember
from tests.factories import AgencyFactory, StaffMemberFactory
from tests.partnership import oidc

POLICE_CLIENT = oidc.client("iomshare-police", "northshire-police")
HEALTH_CLIENT = oidc.client("iomshare-health", "northshire-health")
# Another service registered at the same provider: its tokens are not meant for iomshare.
CASE_SYSTEM_CLIENT = oidc.client("case-system", "northshire-police")
ROLES = {"iom-officers": Role.PRACTITIONER, "information-governance": Role.IG_LEAD, "mentors": Role.VOLUNTEER}


@pytest.fixture(scope="module")
def provider():
    with oidc.running_provider([POLICE_CLIENT, HEALTH_CLIENT, CASE_SYSTEM_CLIENT]) as running:
        yield running


def set_up_sign_on(agency, provider_url: str, client: dict, provider_id: str, **settings) -> AgencySignOn:
    overrides = settings.pop("overrides", None)
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id=provider_id,
        name=agency.name,
        client_id=client["client_id"],
        secret=client["client_secret"],
        settings={
            "server_url": provider_url,
            **({"openid_configuration_overrides": overrides} if overrides else {}),
        },
    )
    return AgencySignOn.objects.create(
        agency=agency,
        provider=app,
        role_claim="groups",
        role_mapping={k: v.value for k, v in ROLES.items()},
        **settings,
    )


@pytest.fixture
def police_sign_on(db, provider):
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    return set_up_sign_on(police, provider.issuer, POLICE_CLIENT, "northshire-police")


def refusals() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(action=Action.SIGN_IN_FAILED, outcome=Outcome.FAILED))


def test_first_sign_in_provisions_a_staff_member_in_the_providers_agency_and_mapped_role(
    client, provider, police_sign_on
):
    provider.next_sign_in(
        "pc-1001",
        email="jo.bloggs@police.example",
        email_verified=True,
        preferred_username="jbloggs",
        given_name="Jo",
        family_name="Bloggs",
        groups=["staff", "iom-officers"],
    )
    response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 302 and "/accounts/" not in response["Location"], response.content[-800:]
    staff = StaffMember.objects.get(socialaccount__uid="pc-1001")
    assert (staff.agency, staff.role, staff.username) == (
        police_sign_on.agency,
        Role.PRACTITIONER,
        "police.jbloggs",
    )
    assert (staff.first_name, staff.email, staff.has_usable_password()) == (
        "Jo",
        "jo.bloggs@police.example",
        False,
    )
    assert LedgerEntry.objects.filter(action=Action.SIGN_IN, actor_username="police.jbloggs").exists()
    assert client.get(reverse("people:cohort")).status_code == 200


def test_the_next_sign_in_finds_the_same_account_by_subject_and_the_role_follows_the_directory(
    client, provider, police_sign_on
):
    provider.next_sign_in("pc-1002", preferred_username="asmith", groups=["iom-officers"])
    oidc.sign_in_through(client, "northshire-police")
    client.logout()
    provider.next_sign_in("pc-1002", preferred_username="asmith", groups=["information-governance"])
    oidc.sign_in_through(client, "northshire-police")

    staff = StaffMember.objects.get(socialaccount__uid="pc-1002")
    assert StaffMember.objects.filter(username__startswith="police.asmith").count() == 1
    assert staff.role == Role.IG_LEAD
    change = LedgerEntry.objects.filter(action=Action.ADMIN_CHANGE, actor_username=staff.username).get()
    assert change.details == {
        "change": "role from identity provider",
        "from": "practitioner",
        "to": "ig_lead",
    }


def test_an_existing_account_is_matched_by_its_verified_email_address(client, provider, police_sign_on):
    officer = StaffMemberFactory(
        username="officer", agency=police_sign_on.agency, email="priya.shah@police.example"
    )
    provider.next_sign_in(
        "pc-1003", email="Priya.Shah@police.example", email_verified=True, groups=["iom-officers"]
    )
    oidc.sign_in_through(client, "northshire-police")

    assert SocialAccount.objects.get(uid="pc-1003").user == officer
    assert StaffMember.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == officer.pk


def test_an_unverified_email_address_matches_nobody(client, provider, police_sign_on):
    StaffMemberFactory(username="officer", agency=police_sign_on.agency, email="priya.shah@police.example")
    police_sign_on.provisions_new_staff = False
    police_sign_on.save()
    provider.next_sign_in(
        "pc-1004", email="priya.shah@police.example", email_verified=False, groups=["iom-officers"]
    )
    response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403
    assert "There is no iomshare account for you at Northshire Police" in response.content.decode()
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session


def test_an_unmapped_role_is_refused_with_a_clear_message_and_nothing_is_created(
    client, provider, police_sign_on
):
    provider.next_sign_in("pc-1005", preferred_username="canteen", groups=["canteen-staff"])
    response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403
    page = response.content.decode()
    assert (
        "Northshire Police&#x27;s sign-in gave no role that iomshare knows" in page
        and "canteen-staff" in page
    )
    assert not StaffMember.objects.exists() and not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session
    assert [e.details["channel"] for e in refusals()] == ["single sign-on"]


def test_a_provider_set_up_for_no_agency_is_refused_and_not_offered(client, provider, db):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="unknown-force",
        name="Unknown Force",
        client_id=POLICE_CLIENT["client_id"],
        secret=POLICE_CLIENT["client_secret"],
        settings={"server_url": provider.issuer},
    )
    # The provider sends people back to the police's address; the app is what iomshare looks up.
    assert "Unknown Force" not in client.get(reverse("web:sign-in")).content.decode()
    assert client.post("/accounts/oidc/no-such-provider/login/").status_code == 404


def test_an_account_of_another_agency_is_not_taken_over_through_this_provider(
    client, provider, police_sign_on
):
    probation = AgencyFactory(code="probation", name="Probation Service North", kind="probation")
    StaffMemberFactory(username="po", agency=probation, email="sam@shared.example")
    provider.next_sign_in("pc-1006", email="sam@shared.example", email_verified=True, groups=["iom-officers"])
    response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403
    assert "belongs to another agency" in response.content.decode()
    assert not SocialAccount.objects.exists() and StaffMember.objects.count() == 1


def test_an_id_token_altered_in_transit_is_refused(client, provider, db):
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")

    def raise_to_ig_lead(path: str, body: bytes) -> bytes:
        if path.startswith("/token"):
            return oidc.rewrite_id_token_claims(body, groups=["information-governance"])
        return body

    with oidc.Proxy(provider.issuer, rewrite_response=raise_to_ig_lead) as proxy:
        set_up_sign_on(
            police,
            provider.issuer,
            POLICE_CLIENT,
            "northshire-police",
            overrides={"token_endpoint": f"{proxy.url}/token"},
        )
        provider.next_sign_in("pc-1007", preferred_username="mallory", groups=["iom-officers"])
        response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403
    assert "Your agency&#x27;s sign-in could not be checked" in response.content.decode()
    assert not StaffMember.objects.exists() and "_auth_user_id" not in client.session
    assert "Invalid id_token" in refusals()[0].details["reason"]


def test_an_id_token_meant_for_another_service_is_refused(client, provider, db):
    """The channel swaps iomshare's client for another service's: a genuine token, the wrong audience."""
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    ours, theirs = POLICE_CLIENT, CASE_SYSTEM_CLIENT

    def as_the_other_service(path: str, body: bytes) -> tuple[str, bytes]:
        parts = urlsplit(path)
        if parts.path.startswith("/auth"):
            query = dict(parse_qsl(parts.query))
            query["client_id"] = theirs["client_id"]
            path = f"{parts.path}?{urlencode(query)}"
        if parts.path.startswith("/token"):
            form = dict(parse_qsl(body.decode()))
            form.update(client_id=theirs["client_id"], client_secret=theirs["client_secret"])
            body = urlencode(form).encode()
        return path, body

    with oidc.Proxy(provider.issuer, rewrite_request=as_the_other_service) as proxy:
        set_up_sign_on(
            police,
            provider.issuer,
            ours,
            "northshire-police",
            overrides={"authorization_endpoint": f"{proxy.url}/auth", "token_endpoint": f"{proxy.url}/token"},
        )
        provider.next_sign_in("pc-1008", preferred_username="eve", groups=["iom-officers"])
        response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403
    assert not StaffMember.objects.exists()
    assert "Invalid id_token" in refusals()[0].details["reason"]


def test_an_expired_id_token_is_refused(client, db):
    """A provider whose clock runs ten minutes slow issues ID tokens that expired before they arrive."""
    police = AgencyFactory(code="police", name="Northshire Police", kind="police")
    with oidc.running_provider(
        [POLICE_CLIENT], CLOCK_OFFSET_SECONDS="-600", ID_TOKEN_TTL_SECONDS="60"
    ) as slow:
        set_up_sign_on(police, slow.issuer, POLICE_CLIENT, "northshire-police")
        slow.next_sign_in("pc-1009", preferred_username="late", groups=["iom-officers"])
        response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403
    assert not StaffMember.objects.exists()
    assert "Invalid id_token" in refusals()[0].details["reason"]


def accepted_by_ig_lead(sign_on: AgencySignOn, amr: str = "mfa otp hwk") -> AgencySignOn:
    sign_on.second_factor_amr = amr
    sign_on.save()
    ig_lead = StaffMemberFactory(username="ig-lead", agency=sign_on.agency, role=Role.IG_LEAD)
    return single_sign_on.accept_provider_second_factor(sign_on, by=ig_lead)


@pytest.mark.usefixtures("second_factor_required")
def test_the_providers_mfa_counts_as_the_second_factor_where_the_ig_lead_accepted_it(
    client, provider, police_sign_on
):
    accepted_by_ig_lead(police_sign_on)
    provider.next_sign_in(
        "pc-1010", preferred_username="mfa-user", groups=["iom-officers"], amr=["pwd", "mfa"]
    )
    response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 302 and response["Location"] != reverse("partnership:set-up-second-factor")
    assert client.get(reverse("people:cohort")).status_code == 200


@pytest.mark.usefixtures("second_factor_required")
def test_a_sign_in_without_the_providers_mfa_still_passes_iomshares_second_factor(
    client, provider, police_sign_on
):
    accepted_by_ig_lead(police_sign_on)
    provider.next_sign_in("pc-1011", preferred_username="pwd-user", groups=["iom-officers"], amr=["pwd"])
    oidc.sign_in_through(client, "northshire-police")

    assert client.get(reverse("people:cohort"))["Location"] == reverse("partnership:set-up-second-factor")


@pytest.mark.usefixtures("second_factor_required")
def test_someone_with_an_authenticator_app_is_asked_for_its_code_after_the_providers_password(
    client, provider, police_sign_on
):
    from tests.partnership.test_second_factor import enrol_totp, sign_in

    officer = StaffMemberFactory(username="officer", agency=police_sign_on.agency)
    sign_in(client, "officer")
    enrol_totp(client)
    client.logout()
    SocialAccount.objects.create(user=officer, provider="northshire-police", uid="pc-1014")
    provider.next_sign_in("pc-1014", groups=["iom-officers"], amr=["pwd"])
    response = oidc.sign_in_through(client, "northshire-police")

    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("second_factor_required")
def test_the_providers_mfa_counts_for_nothing_until_accepted_or_once_the_values_change(
    client, provider, police_sign_on
):
    police_sign_on.second_factor_amr = "mfa"
    police_sign_on.save()
    provider.next_sign_in("pc-1012", preferred_username="not-yet", groups=["iom-officers"], amr=["mfa"])
    oidc.sign_in_through(client, "northshire-police")
    assert client.get(reverse("people:cohort"))["Location"] == reverse("partnership:set-up-second-factor")

    client.logout()
    accepted_by_ig_lead(police_sign_on, amr="mfa")
    police_sign_on.second_factor_amr = "mfa pwd"  # widened after the IG lead accepted "mfa"
    police_sign_on.save()
    oidc.sign_in_through(client, "northshire-police")
    assert client.get(reverse("people:cohort"))["Location"] == reverse("partnership:set-up-second-factor")


@pytest.mark.usefixtures("second_factor_required")
def test_an_acr_value_accepted_by_the_ig_lead_counts_as_the_second_factor(client, provider, police_sign_on):
    police_sign_on.second_factor_acr = "urn:iomshare:test:mfa"
    police_sign_on.save()
    single_sign_on.accept_provider_second_factor(
        police_sign_on, by=StaffMemberFactory(username="ig", agency=police_sign_on.agency, role=Role.IG_LEAD)
    )
    provider.next_sign_in(
        "pc-1013", preferred_username="acr-user", groups=["iom-officers"], acr="urn:iomshare:test:mfa"
    )
    oidc.sign_in_through(client, "northshire-police")
    assert client.get(reverse("people:cohort")).status_code == 200


def test_a_mapping_to_the_system_role_gives_no_account(client, provider, police_sign_on):
    police_sign_on.role_mapping["robots"] = Role.SYSTEM.value  # saved around the admin form's check
    police_sign_on.save()
    provider.next_sign_in("pc-1015", preferred_username="robot", groups=["robots"])
    response = oidc.sign_in_through(client, "northshire-police")

    assert response.status_code == 403 and not StaffMember.objects.exists()


def test_only_the_agencys_ig_lead_accepts_the_providers_second_factor_and_it_is_on_the_ledger(police_sign_on):
    police_sign_on.second_factor_amr = "mfa"
    police_sign_on.save()
    other = AgencyFactory(code="council", name="Northshire Council", kind="council")
    for by in (
        StaffMemberFactory(username="admin", agency=police_sign_on.agency, role=Role.ADMIN),
        StaffMemberFactory(username="other-ig", agency=other, role=Role.IG_LEAD),
    ):
        with pytest.raises(NotPermitted):
            single_sign_on.accept_provider_second_factor(police_sign_on, by=by)
    assert not LedgerEntry.objects.filter(action=Action.ADMIN_CHANGE).exists()

    accepted_by_ig_lead(police_sign_on, amr="mfa")
    entry = LedgerEntry.objects.get(action=Action.ADMIN_CHANGE)
    assert (entry.actor_username, json.loads(json.dumps(entry.details))["values"]) == (
        "ig-lead",
        "amr=mfa;acr=",
    )
    assert police_sign_on.accepts_provider_second_factor


def test_the_sign_in_page_offers_each_agencys_provider_and_lets_the_browser_go_there(
    client, provider, police_sign_on
):
    response = client.get(reverse("web:sign-in"))
    page = response.content.decode()
    assert "Sign in with Northshire Police" in page
    assert 'action="/accounts/oidc/northshire-police/login/"' in page
    # Browsers apply form-action to the redirect on to the provider.
    assert f"form-action 'self' {provider.issuer};" in response["Content-Security-Policy"]
