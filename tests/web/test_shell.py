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


def test_signing_in_goes_to_the_cohort_and_signing_out_ends_the_session(client, officer):
    response = client.post(reverse("web:sign-in"), {"login": "officer", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("people:cohort")
    assert client.session["_auth_user_id"] == str(officer.pk)
    client.post(reverse("web:sign-out"))
    assert "_auth_user_id" not in client.session


def test_sign_in_never_redirects_to_another_site(client, officer):
    response = client.post(
        reverse("web:sign-in"),
        {"login": "officer", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("people:cohort")


def test_pages_about_people_need_sign_in(client, person):
    for url in (reverse("people:cohort"), reverse("people:person", args=[person.id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in"))


def test_sign_out_only_accepts_post(client, officer):
    client.force_login(officer)
    assert client.get(reverse("web:sign-out")).status_code == 405
