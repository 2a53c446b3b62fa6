"""Working a handoff in the console, through HTTP against a real server."""
from __future__ import annotations

import json

from tests.console.conftest import SENDER


def case_url(console, case) -> str:
    return f"{console.url}/konsol/sager/{case.case_number}"


def test_a_counsellor_takes_a_case_and_the_reply_reaches_the_employee(console, waiting_case):
    anne = console.login()
    console.service.record_employee_message(SENDER, "Jeg overvejer at skifte speciale")
    page = anne.get(case_url(console, waiting_case))
    assert "Jeg overvejer at skifte speciale" in page.text and "Tag sagen" in page.text
    response = console.post(anne, f"/konsol/sager/{waiting_case.case_number}/tag")
    assert response.status_code == 303 and "ok=taget" in response.headers["Location"]
    assert console.pusher.states[-1] == (SENDER, "active")
    response = console.post(anne, f"/konsol/sager/{waiting_case.case_number}/svar",
                            {"text": "Hej, jeg hedder Anne. Fortæl gerne mere."})
    assert "ok=sendt" in response.headers["Location"]
    recipient, payload = console.pusher.replies[-1]
    assert recipient == SENDER
    assert payload["text"] == "Hej, jeg hedder Anne. Fortæl gerne mere." and payload["from_counsellor"]
    assert console.service.undelivered_for(SENDER) == []
    assert "Modtaget" in anne.get(case_url(console, waiting_case)).text


def test_a_reply_the_browser_did_not_confirm_waits_for_the_employee(console, waiting_case):
    console.pusher.acknowledge = False
    anne = console.login()
    console.post(anne, f"/konsol/sager/{waiting_case.case_number}/tag")
    response = console.post(anne, f"/konsol/sager/{waiting_case.case_number}/svar", {"text": "Er du der?"})
    assert "ok=gemt" in response.headers["Location"]
    assert [d.text for d in console.service.undelivered_for(SENDER)] == ["Er du der?"]
    assert "Venter på medarbejderen" in anne.get(case_url(console, waiting_case)).text


def test_one_counsellor_cannot_reply_on_a_case_another_has_taken(console, waiting_case):
    anne, bo = console.login("anne"), console.login("bo")
    console.post(anne, f"/konsol/sager/{waiting_case.case_number}/tag")
    page = bo.get(case_url(console, waiting_case))
    assert "Overtag sagen fra Anne Rådgiver" in page.text and 'name="text"' not in page.text
    for action in ("svar", "giv-tilbage", "luk", "tag"):
        response = console.post(bo, f"/konsol/sager/{waiting_case.case_number}/{action}",
                                {"text": "Jeg svarer i stedet"})
        assert "fejl=taget_af_anden" in response.headers["Location"], action
    texts = [m.text for m in console.deps.desk.lines(waiting_case.case_number, "raadgiver-1")]
    assert "Jeg svarer i stedet" not in texts
    assert console.pusher.replies == []
    # An explicit take-over is allowed, and then Anne is the one refused.
    console.post(bo, f"/konsol/sager/{waiting_case.case_number}/overtag")
    reply = console.post(bo, f"/konsol/sager/{waiting_case.case_number}/svar", {"text": "Bo her"})
    assert "ok=sendt" in reply.headers["Location"]
    assert console.pusher.replies[-1][1]["text"] == "Bo her"
    refused = console.post(anne, f"/konsol/sager/{waiting_case.case_number}/svar", {"text": "Anne igen"})
    assert "fejl=taget_af_anden" in refused.headers["Location"]


def test_handing_back_lets_the_assistant_take_over(console, waiting_case):
    anne = console.login()
    console.post(anne, f"/konsol/sager/{waiting_case.case_number}/tag")
    response = console.post(anne, f"/konsol/sager/{waiting_case.case_number}/giv-tilbage")
    assert "ok=givet_tilbage" in response.headers["Location"]
    assert console.assistant.runs == [(SENDER, "webchat", "action_handoff_returned")]
    assert console.pusher.states[-1] == (SENDER, None)
    assert console.service.live_state(SENDER) is None


def test_the_queues_endpoint_lists_new_cases_for_the_page(console, waiting_case):
    anne = console.login()
    data = anne.get(f"{console.url}/konsol/api/status").json()
    assert data["waiting"] == [waiting_case.case_number]
    assert f"Sag {waiting_case.case_number}" in data["html"]


def test_new_lines_arrive_through_the_lines_endpoint(console, waiting_case):
    anne = console.login()
    url = f"{console.url}/konsol/api/sager/{waiting_case.case_number}/linjer"
    first = anne.get(url).json()
    console.service.record_employee_message(SENDER, "Er der nogen?")
    newer = anne.get(f"{url}?efter={first['last_id'] or 0}").json()
    assert "Er der nogen?" in newer["html"] and newer["state"] == "waiting"


def test_the_console_never_shows_the_channel_id_or_the_case_code(console, waiting_case):
    anne = console.login()
    console.service.record_employee_message(SENDER, "hej")
    console.post(anne, f"/konsol/sager/{waiting_case.case_number}/tag")
    seen = anne.get(f"{console.url}/konsol/").text
    seen += anne.get(case_url(console, waiting_case)).text
    seen += json.dumps(anne.get(f"{console.url}/konsol/api/status").json())
    seen += json.dumps(anne.get(f"{console.url}/konsol/api/sager/{waiting_case.case_number}/linjer").json())
    assert SENDER not in seen
    assert waiting_case.code not in seen and waiting_case.code.replace("-", "") not in seen


def test_what_the_employee_writes_is_shown_as_text(console, waiting_case):
    console.service.record_employee_message(SENDER, "<script>alert('x')</script><b>fed</b>")
    page = console.login().get(case_url(console, waiting_case)).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>fed</b>" not in page


def test_the_heartbeat_and_the_ready_switch_make_a_counsellor_available(console):
    bo = console.login("bo")
    assert console.service.present_counsellors() == ()
    console.post(bo, "/konsol/tilgaengelig", {"available": "1"})
    assert console.service.present_counsellors() == ("raadgiver-2",)
    heartbeat = bo.post(f"{console.url}/konsol/api/heartbeat", json={},
                        headers={"X-CSRF-Token": console.csrf(bo)})
    assert heartbeat.json() == {"available": True}
    console.post(bo, "/konsol/tilgaengelig", {"available": "0"})
    assert console.service.present_counsellors() == ()


def test_a_left_message_is_answered_and_readable_with_the_code(console):
    ticket = console.service.leave_message(SENDER, "webchat", "Kan I hjælpe med efteruddannelse?")
    anne = console.login()
    assert f"Sag {ticket.case_number}" in anne.get(f"{console.url}/konsol/").text
    console.post(anne, f"/konsol/sager/{ticket.case_number}/tag")
    console.post(anne, f"/konsol/sager/{ticket.case_number}/svar", {"text": "Ja, se kataloget."})
    reading = console.service.read_case(ticket.code)
    assert [a.text for a in reading.answers] == ["Ja, se kataloget."]


def test_an_unknown_case_is_a_danish_404(console):
    response = console.login().get(f"{console.url}/konsol/sager/999")
    assert response.status_code == 404 and "Siden findes ikke" in response.text
