"""Logging in and out of the console, through HTTP against a real server."""
from __future__ import annotations

import pytest

from tests.console.conftest import ANNE, PASSWORD
from tests.console.routes import protected_routes


def test_every_page_and_action_needs_a_login(console):
    routes = protected_routes(console.app)
    assert len(routes) >= 20, routes
    anonymous = console.client()
    for method, path in routes:
        response = anonymous.request(method, f"{console.url}{path}", allow_redirects=False)
        if "/api/" in path:
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 303, (method, path)
            assert response.headers["Location"].endswith("/konsol/login"), (method, path)


def test_a_forged_session_cookie_is_not_a_login(console):
    client = console.client()
    client.cookies.set("ka_konsol", "x" * 43, path="/konsol")
    response = client.get(f"{console.url}/konsol/", allow_redirects=False)
    assert response.status_code == 303


def test_the_right_password_opens_a_session_with_a_strict_cookie(console):
    client = console.client()
    response = console.post_login(client, ANNE, PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/konsol/"
    cookie = [h for h in response.raw.headers.getlist("Set-Cookie") if h.startswith("ka_konsol=")][0]
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/konsol" in lowered
    page = client.get(f"{console.url}/konsol/")
    assert page.status_code == 200 and "Logget ind som Anne Rådgiver" in page.text


def test_a_wrong_password_is_refused(console):
    client = console.client()
    response = console.post_login(client, ANNE, "forkert-adgangskode")
    assert response.status_code == 401
    assert "Brugernavn eller adgangskode er forkert" in response.text
    assert "ka_konsol" not in client.cookies.get_dict()
    assert client.get(f"{console.url}/konsol/", allow_redirects=False).status_code == 303


def test_an_unknown_user_gets_the_same_answer(console):
    response = console.post_login(console.client(), "mallory", PASSWORD)
    assert response.status_code == 401
    assert "Brugernavn eller adgangskode er forkert" in response.text


def test_repeated_wrong_passwords_lock_the_account(console):
    client = console.client()
    for _ in range(5):
        assert console.post_login(client, ANNE, "forkert-adgangskode").status_code == 401
    assert console.post_login(client, ANNE, PASSWORD).status_code == 401


def test_the_login_form_needs_its_csrf_token(console):
    client = console.client()
    client.get(f"{console.url}/konsol/login")
    response = client.post(f"{console.url}/konsol/login", allow_redirects=False,
                           data={"username": ANNE, "password": PASSWORD})
    assert response.status_code == 403
    assert "ka_konsol" not in client.cookies.get_dict()


def test_logging_out_ends_the_session_and_the_availability(console):
    client = console.login()
    console.post(client, "/konsol/tilgaengelig", {"available": "1"})
    assert console.service.present_counsellors() == ("raadgiver-1",)
    stolen = client.cookies.get("ka_konsol")
    response = console.post(client, "/konsol/logout")
    assert response.status_code == 303 and response.headers["Location"].startswith("/konsol/login")
    assert console.service.present_counsellors() == ()
    again = console.client()
    again.cookies.set("ka_konsol", stolen, path="/konsol")
    assert again.get(f"{console.url}/konsol/", allow_redirects=False).status_code == 303


@pytest.mark.parametrize("header", ["Content-Security-Policy", "X-Frame-Options", "Cache-Control"])
def test_pages_are_sent_with_protective_headers(console, header):
    response = console.login().get(f"{console.url}/konsol/")
    assert header in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
