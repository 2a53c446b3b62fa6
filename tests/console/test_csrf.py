"""Every POST of the console needs the session's CSRF token."""
from __future__ import annotations

from tests.console.routes import protected_routes


def test_every_post_without_the_token_is_refused(console, waiting_case):
    client = console.login()
    posts = [path for method, path in protected_routes(console.app) if method == "POST"]
    assert len(posts) >= 12
    for path in posts:
        response = client.post(f"{console.url}{path}", data={"text": "hej", "available": "1"},
                               allow_redirects=False)
        assert response.status_code == 403, path
    # Nothing happened: the case still waits, nobody was marked available by the forged posts.
    assert console.deps.desk.case(waiting_case.case_number, "raadgiver-1").summary.counsellor_id is None
    assert console.service.live_state("0123456789abcdef0123456789abcdef").value == "waiting"


def test_a_token_from_another_session_is_refused(console, waiting_case):
    anne, bo = console.login("anne"), console.login("bo")
    bos_token = console.csrf(bo)
    response = anne.post(f"{console.url}/konsol/sager/{waiting_case.case_number}/tag",
                         data={"csrf_token": bos_token}, allow_redirects=False)
    assert response.status_code == 403


def test_json_posts_need_the_token_in_a_header(console):
    client = console.login()
    url = f"{console.url}/konsol/api/heartbeat"
    assert client.post(url, json={}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    ok = client.post(url, json={}, headers={"X-CSRF-Token": console.csrf(client)})
    assert ok.status_code == 200 and ok.json() == {"available": False}
