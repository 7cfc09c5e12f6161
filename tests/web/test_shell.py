import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_every_page_carries_a_strict_content_security_policy(client, db):
    response = client.get(reverse("web:sign-in"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_pages_load_no_remote_assets(client, officer):
    client.force_login(officer)
    html = client.get(reverse("people:cohort")).content.decode()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<script>" not in html, "inline scripts are forbidden by the CSP"


def test_request_id_is_returned_and_a_callers_id_is_kept(client, db):
    assert len(client.get(reverse("web:sign-in"))["X-Request-ID"]) == 32
    assert (
        client.get(reverse("web:sign-in"), HTTP_X_REQUEST_ID="abc12345-trace")["X-Request-ID"]
        == "abc12345-trace"
    )


def test_signing_in_with_a_wrong_password_says_so_and_keeps_you_signed_out(client, officer):
    response = client.post(reverse("web:sign-in"), {"login": "officer", "password": "wrong password"})
    assert response.status_code == 400
    assert "The username or password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_goes_to_my_caseload_and_signing_out_ends_the_session(client, officer):
    response = client.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("people:caseload")
    assert client.session["_auth_user_id"] == str(officer.pk)
    client.post(reverse("web:sign-out"))
    assert "_auth_user_id" not in client.session


def test_sign_in_never_redirects_to_another_site(client, officer):
    response = client.post(
        reverse("web:sign-in"),
        {"login": "officer", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("people:caseload")


def test_pages_about_people_need_sign_in(client, person):
    for url in (reverse("people:cohort"), reverse("people:person", args=[person.id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in"))


def test_sign_out_only_accepts_post(client, officer):
    client.force_login(officer)
    assert client.get(reverse("web:sign-out")).status_code == 405


@pytest.mark.parametrize(
    ("role", "is_volunteer", "landing"),
    [
        ("practitioner", False, "people:caseload"),
        ("volunteer", True, "people:caseload"),
        ("ig_lead", False, "web:governance"),
        ("partnership_manager", False, "people:dashboard"),
        ("admin", False, "people:cohort"),
    ],
)
def test_each_role_lands_on_its_own_first_page(client, police, role, is_volunteer, landing):
    from tests.factories import StaffMemberFactory

    StaffMemberFactory(username="someone", agency=police, role=role, is_volunteer=is_volunteer)
    response = client.post(reverse("web:sign-in"), {"username": "someone", "password": TEST_PASSWORD})
    assert response["Location"] == reverse(landing)
    assert client.get("/")["Location"] == reverse(landing)
    assert client.get(reverse(landing)).status_code == 200
