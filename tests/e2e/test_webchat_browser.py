"""The web chat page in a real browser (Debian Chromium, headless)."""
import time

import pytest

from tests.browser import browser

pytestmark = pytest.mark.e2e

GREETING = "Jeg er Karriereassistenten"


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def bot_messages(page):
    return page.locator("#log li.bot")


def test_page_greets_and_answers_hej(stack, chromium):
    page = chromium.new_page()
    page.goto(f"{stack.rasa_url}/chat/")
    page.locator("#log li.bot", has_text=GREETING).first.wait_for(timeout=30_000)
    page.get_by_label("Din besked").fill("hej")
    page.keyboard.press("Enter")
    page.locator("#log li.user", has_text="hej").wait_for()
    # The greeting on opening, and once more as the answer to "hej".
    page.locator("#log li.bot", has_text=GREETING).nth(1).wait_for(timeout=30_000)
    assert "anonymt" in page.locator("#log").inner_text()
    # Buttons are real buttons, reachable by keyboard.
    assert page.get_by_role("button", name="Book en samtale").count() >= 1
    page.close()


def test_conversation_survives_a_reload_in_the_same_tab(stack, chromium):
    page = chromium.new_page()
    page.goto(f"{stack.rasa_url}/chat/")
    bot_messages(page).first.wait_for(timeout=30_000)
    page.get_by_label("Din besked").fill("hvad kan du")
    page.keyboard.press("Enter")
    page.locator("#log li.bot", has_text="Det kan jeg hjælpe med").wait_for(timeout=30_000)
    token_before = page.evaluate("sessionStorage.getItem('ka.session')")
    count = page.locator("#log li").count()
    page.reload()
    # (Locators and page.evaluate, not wait_for_function: the page's CSP forbids the
    # eval it polls with, so it failed whenever the condition was not true at once.)
    page.locator("#log li").nth(count - 1).wait_for(timeout=30_000)
    deadline = time.monotonic() + 30
    while page.evaluate("sessionStorage.getItem('ka.session')") is None and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate("sessionStorage.getItem('ka.session')") == token_before
    # No second greeting after the reload: the same conversation goes on.
    page.wait_for_timeout(1500)
    assert page.locator("#log li").count() == count
    page.close()


def test_markup_is_shown_as_text_never_run(stack, chromium):
    page = chromium.new_page()
    page.goto(f"{stack.rasa_url}/chat/")
    bot_messages(page).first.wait_for(timeout=30_000)
    hostile = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=1</script>"
    page.get_by_label("Din besked").fill(hostile)
    page.keyboard.press("Enter")
    page.locator("#log li.bot").nth(1).wait_for(timeout=30_000)
    assert page.locator("#log li.user").last.inner_text().endswith(hostile)
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("#log img").count() == 0
    page.close()


def test_unreachable_server_shows_a_danish_notice(stack, chromium):
    page = chromium.new_page()
    # The server cannot be reached: both socket.io transports fail.
    page.route("**/socket.io/**", lambda route: route.abort())
    page.route_web_socket("**/socket.io/**", lambda ws: ws.close())
    page.goto(f"{stack.rasa_url}/chat/")
    status = page.locator("#status")
    status.wait_for(state="visible", timeout=30_000)
    assert "ingen forbindelse" in status.inner_text()
    page.close()


def test_page_is_labelled_for_screen_readers(stack, chromium):
    page = chromium.new_page()
    page.goto(f"{stack.rasa_url}/chat/")
    assert page.get_attribute("html", "lang") == "da"
    assert page.get_attribute("#log", "role") == "log"
    assert page.get_attribute("#log", "aria-live") == "polite"
    assert page.get_by_label("Din besked").count() == 1
    page.close()
