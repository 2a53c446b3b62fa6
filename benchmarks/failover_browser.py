"""Fault test of the production profile in a real browser: one Rasa replica is
killed; the web chat reconnects by itself and the counsellor's replies that
were queued meanwhile are shown, each exactly once and in order.

    .venv/bin/python benchmarks/failover_browser.py

Starts the production profile (benchmarks/_prod.py: own directory var/bench-prod
and own loopback ports; PostgreSQL, Redis, 2 Rasa replicas, 2 action servers,
nginx; opening hours switched off with KA_HANDOFF_ALWAYS_OPEN) and drives
Debian's Chromium headless (tests/browser.py), one browser context for the
employee and one for a counsellor, both only through nginx:

1. The counsellor logs into the console and is ready for chat. The employee
   opens the web chat, writes "hej", gets the greeting, asks for a person
   (the handoff flow of tests/e2e/test_handoff_browser.py); the counsellor
   takes the case, one reply shows live, one employee line reaches the console.
2. The replica that holds the page's socket.io connection is found from
   nginx's sticky routing (the access-log line of the page's first request,
   whose request id is the page's ka_route cookie), cross-checked with the
   replicas' open TCP connections.
3. Kill with queued replies: the employee's browser is set offline (an open
   WebSocket is not affected by that; new connections are), then that replica
   is SIGKILLed. The page shows its Danish notice; its reconnection attempts
   fail while the counsellor sends 3 replies in the console (served by the
   surviving replica). Without this hold the page reconnects within about a
   second, faster than anyone types, and the replies would simply go live.
   Then the network comes back: the page reconnects by itself (no reload) and
   must show the 3 queued replies exactly once, in order, after the live one;
   the console must show them as received; a new employee line must reach
   the console.
4. The killed replica is started again (scripts/prod/up.sh starts what is
   missing) and both replicas' health routes must answer 200.
5. Plain kill: the replica the page is on now is SIGKILLed with no hold; the
   counsellor replies at once; the page must reconnect (to the restarted
   replica) and show that reply exactly once.

Prints the figures and one PASS/FAIL line per check; exit status 1 if a check
fails. The profile is always stopped at the end. Loopback only; bounded in time
(every wait has a timeout).
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import traceback
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _prod import ROOT, BenchProfile, load  # noqa: E402
from tests.browser import browser, chromium_path  # noqa: E402
from tests.e2e.test_handoff_browser import ASK  # noqa: E402

TIMEOUT_MS = 60_000
SHOW_TIMEOUT = 30.0  # seconds for the page to reconnect / show the replies
DUPLICATE_WATCH = 3.0  # seconds to keep watching for a reply shown twice
POLL_MS = 20

Check = Tuple[str, bool, str]


# ------------------------------------------------------------------ the profile


def counsellor_account(profile: BenchProfile, password: str,
                       counsellor_id: str = "raadgiver-1") -> str:
    """A console login for `counsellor_id` in the profile's PostgreSQL, with the
    documented command: created, or (the data in var/bench-prod outlives a run)
    the existing account gets a new password. Returns the username."""
    env = profile.env(2)
    secret = profile.secrets()["KA_POSTGRES_PASSWORD"]
    env["KA_DATABASE_URL"] = (f"postgresql+psycopg2://karriere:{secret}@127.0.0.1:"
                              f"{profile.pg_port}/karriere")

    def accounts(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot.console.accounts", *args],
                              input=password + "\n", cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"accounts {args[0]}: {done.stderr.strip()[-2000:]}")
        return done.stdout

    for line in accounts("list").splitlines():
        username, owner, *_ = line.split("\t") + ["", ""]
        if owner == counsellor_id:
            accounts("password", username)
            accounts("activate", username)
            return username
    accounts("create", "failover", "--name", "Failover Rådgiver", "--counsellor-id", counsellor_id)
    return "failover"


def replica_of_route(profile: BenchProfile, route: str) -> Optional[str]:
    """The replica nginx sent the browser's first request to: that request's id
    is the ka_route cookie, and every later /chat and /socket.io request with
    the cookie is hashed onto the same replica."""
    log = profile.directory / "log" / "nginx-access.log"
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if line.endswith(f" {route}"):
            match = re.search(r'"127\.0\.0\.1:(\d+)"', line)
            if match:
                return f"rasa-{int(match.group(1)) - profile.rasa_base_port}"
    return None


def connections(profile: BenchProfile, replicas: int = 2) -> Dict[str, Set[str]]:
    """Established TCP connections accepted by each replica (by the peer's address)."""
    by_port: Dict[int, str] = {profile.rasa_base_port + i: f"rasa-{i}" for i in range(replicas)}
    found: Dict[str, Set[str]] = {name: set() for name in by_port.values()}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "01":  # ESTABLISHED
                port = int(fields[1].rsplit(":", 1)[1], 16)
                if port in by_port:
                    found[by_port[port]].add(fields[2])
    return found


def new_long_lived(profile: BenchProfile, baseline: Dict[str, Set[str]],
                   seconds: float = 1.5) -> Dict[str, Set[str]]:
    """Connections opened since `baseline` and still open `seconds` later. In this
    scenario only the page's WebSocket is such a connection: the console and the
    page's files go through nginx's sticky upstream, which keeps no idle
    connections (the round-robin upstream does, hence the baseline)."""
    first = connections(profile)
    time.sleep(seconds)
    second = connections(profile)
    return {name: (first[name] & second[name]) - baseline.get(name, set()) for name in first}


def health(profile: BenchProfile, name: str) -> int:
    port = profile.rasa_base_port + int(name.split("-")[1])
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/webhooks/production/health",
                                    timeout=10) as response:
            return response.status
    except Exception as error:  # noqa: BLE001 - the status is the result
        return getattr(error, "code", 0)


# ------------------------------------------------------------------ the browser


def wait_until(page, condition, timeout: float = SHOW_TIMEOUT) -> Optional[float]:
    """Poll `condition()` (locator checks) until true; the monotonic time, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        page.wait_for_timeout(POLL_MS)
    return None


def counsellor_lines(page) -> List[str]:
    """The counsellor replies the employee's page shows, in order, without the label."""
    texts = page.locator("#log li.counsellor").all_inner_texts()
    return [re.sub(r"^\s*Rådgiver:\s*", "", text).strip() for text in texts]


def employee_says(page, text: str) -> None:
    page.get_by_label("Din besked").fill(text)
    page.keyboard.press("Enter")


def reply_in_console(console, text: str) -> Tuple[str, float]:
    """Send one reply with the console's form; the notice key ('sendt' = the page
    confirmed it, 'gemt' = stored for redelivery) and the seconds it took."""
    started = time.monotonic()
    console.get_by_label("Dit svar").fill(text)
    with console.expect_navigation(timeout=TIMEOUT_MS):
        console.get_by_role("button", name="Send svar").click()
    console.locator(".notice").first.wait_for(timeout=TIMEOUT_MS)
    outcome = parse_qs(urlparse(console.url).query)
    key = (outcome.get("ok") or outcome.get("fejl") or ["?"])[0]
    return key, time.monotonic() - started


def status_shown(page) -> bool:
    return page.locator("#status").is_visible()


# ------------------------------------------------------------------ the scenario


def scenario(profile: BenchProfile, chromium, checks: List[Check], figures: List[str]) -> None:
    run = uuid.uuid4().hex[:6]
    password = secrets.token_urlsafe(18)
    username = counsellor_account(profile, password)
    base = profile.base_url

    def check(name: str, ok: bool, detail: str = "") -> bool:
        checks.append((name, bool(ok), detail))
        return bool(ok)

    employee_context = chromium.new_context()
    employee = employee_context.new_page()
    console_context = chromium.new_context()
    console = console_context.new_page()

    # 1. The counsellor is ready; the employee greets and asks for a person.
    console.goto(f"{base}/konsol/login")
    console.get_by_label("Brugernavn").fill(username)
    console.get_by_label("Adgangskode").fill(password)
    console.get_by_role("button", name="Log ind").click()
    console.get_by_role("heading", name="Sager").wait_for(timeout=TIMEOUT_MS)
    if not console.locator(".badge.on").is_visible():  # still ready from an earlier run?
        console.get_by_role("button", name="Sæt mig som klar til chat").click()
    console.locator(".badge.on").wait_for(timeout=TIMEOUT_MS)
    status_url = f"{base}/konsol/api/status"
    waiting_before = set(console_context.request.get(status_url).json()["waiting"])

    # When the page's socket.io connections open: its "40" frame (namespace
    # connected) is what fires the page's "connect" handler. Taken in the event
    # handler, so the time is right even while the script waits on the console.
    connects: List[float] = []

    def watch(websocket) -> None:
        websocket.on("framereceived", lambda frame: connects.append(time.monotonic())
                     if str(frame).startswith("40") else None)

    employee.on("websocket", watch)
    baseline = connections(profile)
    employee.goto(f"{base}/chat/")
    employee.locator("#log li.bot").first.wait_for(timeout=TIMEOUT_MS)
    answers = employee.locator("#log li.bot").count()
    employee_says(employee, "hej")
    employee.locator("#log li.bot").nth(answers).wait_for(timeout=TIMEOUT_MS)
    greeting = employee.locator("#log li.bot").nth(answers).inner_text()
    check("the web chat answers 'hej' with the greeting", "Karriereassistenten" in greeting,
          greeting.replace("\n", " ")[:70])
    employee_says(employee, ASK)
    employee.get_by_role("button", name="Ja, del samtalen").click(timeout=TIMEOUT_MS)
    employee.locator("#log li.bot", has_text="Din sagskode er").wait_for(timeout=TIMEOUT_MS)
    employee.locator("#handoff", has_text="Du venter på en rådgiver").wait_for(timeout=TIMEOUT_MS)

    deadline = time.monotonic() + 30
    new: Set[int] = set()
    while not new and time.monotonic() < deadline:
        new = set(console_context.request.get(status_url).json()["waiting"]) - waiting_before
        if not new:
            time.sleep(0.5)
    if not check("a handoff case opens in the console", len(new) == 1, f"new waiting cases {sorted(new)}"):
        return
    case_number = new.pop()
    console.goto(f"{base}/konsol/sager/{case_number}")
    console.get_by_role("button", name="Tag sagen").click()
    console.locator(".notice.ok", has_text="Du har taget sagen").wait_for(timeout=TIMEOUT_MS)
    employee.locator("#handoff", has_text="Du skriver nu med en rådgiver").wait_for(timeout=TIMEOUT_MS)

    before = f"[{run}] Hej, jeg hedder Anne. Hvad vil du gerne tale om?"
    key, _ = reply_in_console(console, before)
    employee.locator("#log li.counsellor", has_text=before).wait_for(timeout=TIMEOUT_MS)
    check("before the kill: a reply shows live and is confirmed", key == "sendt", f"console: {key}")
    first_line = f"[{run}] Jeg overvejer at skifte speciale"
    employee_says(employee, first_line)
    console.locator("#lines li.employee", has_text=first_line).wait_for(timeout=TIMEOUT_MS)

    # 2. Which replica holds the page's socket.io connection?
    route = next(c["value"] for c in employee_context.cookies() if c["name"] == "ka_route")
    console_route = next(c["value"] for c in console_context.cookies() if c["name"] == "ka_route")
    holder = replica_of_route(profile, route)
    console_replica = replica_of_route(profile, console_route)
    opened = new_long_lived(profile, baseline)
    by_tcp = [name for name, peers in opened.items() if peers]
    figures.append(f"page's socket.io on {holder} by nginx's sticky routing (cookie ka_route); "
                   f"connections opened since the page loaded and still open: "
                   f"{ {name: len(peers) for name, peers in opened.items()} }; "
                   f"console's sticky replica: {console_replica}")
    if not check("the replica holding the page's socket is known", holder in profile.pids()
                 and by_tcp == [holder], f"nginx log: {holder}, new open connections: {by_tcp}"):
        return
    survivor = "rasa-1" if holder == "rasa-0" else "rasa-0"

    # 3. Kill with queued replies.
    websockets: List[float] = []
    employee.on("websocket", lambda _ws: websockets.append(time.monotonic()))
    loads: List[str] = []  # a reload would navigate the main frame again
    employee.on("framenavigated", lambda frame: loads.append(frame.url) if frame == employee.main_frame else None)
    employee_context.set_offline(True)  # holds back the reconnection, not the open socket
    pid = profile.pids()[holder]
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    noticed_at = wait_until(employee, lambda: status_shown(employee), 10)
    notice = employee.locator("#status").inner_text() if noticed_at else ""
    check("the page shows a Danish notice while disconnected",
          noticed_at is not None and "ingen forbindelse" in notice, notice)
    if noticed_at is None:
        employee_context.set_offline(False)
        return

    queued = [f"[{run}] Svar {n} af 3: {text}" for n, text in enumerate(
        ("Tak, det lyder spændende.", "Har du talt med din leder om det?",
         "Vi kan også booke en samtale, hvis du vil."), start=1)]
    outcomes = []
    for text in queued:
        outcomes.append(reply_in_console(console, text))
    still_offline = status_shown(employee) and not counsellor_lines(employee)[1:]
    attempts = [at - killed_at for at in websockets]
    held = time.monotonic() - killed_at
    baseline = connections(profile)
    employee_context.set_offline(False)
    released_at = time.monotonic()
    reconnected_at = wait_until(employee, lambda: not status_shown(employee))
    if reconnected_at:
        reconnected_at = min([at for at in connects if at > released_at] or [reconnected_at])
    expected = [before] + queued
    shown_at = wait_until(employee, lambda: len(counsellor_lines(employee)) >= len(expected))
    socket_now = new_long_lived(profile, baseline)[survivor]  # the page's new WebSocket
    employee.wait_for_timeout(DUPLICATE_WATCH * 1000)
    lines = counsellor_lines(employee)
    duplicates = sum(lines.count(text) - 1 for text in set(lines))

    figures.append(f"kill 1: {holder} (pid {pid}) SIGKILLed; Danish notice after "
                   f"{noticed_at - killed_at:.2f} s; page's reconnection attempts while held offline at "
                   + (", ".join(f"{a:.1f}" for a in attempts) or "none") + " s")
    figures.append("  3 replies sent in the console while the page was disconnected: "
                   + ", ".join(f"{key} in {took:.2f} s" for key, took in outcomes)
                   + f" (held offline {held:.1f} s after the kill)")
    if reconnected_at:
        figures.append(f"  network back -> page reconnected: {reconnected_at - released_at:.2f} s "
                       f"(socket.io back-off, at most 5 s); kill -> reconnected: "
                       f"{reconnected_at - killed_at:.2f} s")
    if reconnected_at and shown_at:
        figures.append(f"  reconnected -> all queued replies shown: {max(0.0, shown_at - reconnected_at):.2f} s")
    figures.append(f"  replies sent {len(expected)} (1 live before the kill + 3 queued), shown "
                   f"{len(set(lines) & set(expected))}, duplicates {duplicates}, "
                   f"in order {lines == expected}")
    check("the console stored the 3 replies while the page was away (no confirmation)",
          [key for key, _ in outcomes] == ["gemt"] * 3, str([key for key, _ in outcomes]))
    check("the page stayed disconnected and showed nothing while held offline", still_offline)
    check("the page reconnects by itself, without a reload", reconnected_at is not None and not loads,
          f"{reconnected_at - released_at:.2f} s after the network is back" if reconnected_at else "no")
    check("every counsellor reply shown exactly once, in order", lines == expected,
          f"shown {lines}")
    banner = employee.locator("#handoff").inner_text() if employee.locator("#handoff").is_visible() else ""
    check("after reconnecting the page still says a counsellor has the chat",
          "Du skriver nu med en rådgiver" in banner, banner.split("\n")[0])
    console.goto(f"{base}/konsol/sager/{case_number}")
    received = console.locator("#lines li.counsellor .delivery").all_inner_texts()
    check("the console shows every reply as received (Modtaget)",
          received == ["Modtaget"] * len(expected), str(received))

    after_line = f"[{run}] Forbindelsen er tilbage, jeg er her stadig"
    typed_at = time.monotonic()
    employee_says(employee, after_line)
    try:
        console.locator("#lines li.employee", has_text=after_line).wait_for(timeout=TIMEOUT_MS)
        figures.append(f"  employee's line after the reconnect seen in the console after "
                       f"{time.monotonic() - typed_at:.2f} s (console polls every 2.5 s)")
        check("the employee's next message reaches the counsellor", True)
    except Exception as error:  # noqa: BLE001 - a timeout is the result
        check("the employee's next message reaches the counsellor", False, type(error).__name__)

    # 4. The killed replica comes back.
    took = profile.up(2)
    codes = {name: health(profile, name) for name in ("rasa-0", "rasa-1")}
    figures.append(f"restart of {holder}: {took:.0f} s (up.sh starts what is missing); health {codes}")
    check("after the restart both replicas are healthy", set(codes.values()) == {200}, str(codes))
    time.sleep(11)  # nginx retries a replica it marked as failed after fail_timeout (10 s)

    # 5. Plain kill: the replica the page is on now (the survivor), no hold.
    still = socket_now & connections(profile)[survivor]
    check("the page's socket is on the surviving replica", bool(still),
          f"{len(still)} of {len(socket_now)} connections opened at the reconnect still open")
    pid = profile.pids()[survivor]
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    noticed_at = wait_until(employee, lambda: status_shown(employee), 10)
    last = f"[{run}] Er du der stadig?"
    key, took = reply_in_console(console, last)
    reconnected_at = wait_until(employee, lambda: not status_shown(employee))
    if reconnected_at:
        reconnected_at = min([at for at in connects if at > killed_at] or [reconnected_at])
    shown_at = wait_until(employee, lambda: len(counsellor_lines(employee)) >= len(expected) + 1)
    employee.wait_for_timeout(DUPLICATE_WATCH * 1000)
    lines = counsellor_lines(employee)
    figures.append(
        f"kill 2: {survivor} (pid {pid}) SIGKILLed, no hold; notice after "
        + (f"{noticed_at - killed_at:.2f} s" if noticed_at else "never")
        + "; kill -> reconnected: " + (f"{reconnected_at - killed_at:.2f} s" if reconnected_at else "never")
        + f"; a reply sent at once ({key} in {took:.2f} s) shown "
        + (f"{shown_at - killed_at:.2f} s after the kill" if shown_at else "never"))
    check("plain kill: the page reconnects by itself", noticed_at is not None and reconnected_at is not None)
    check("plain kill: the reply is shown exactly once, in order", lines == expected + [last],
          f"shown {lines[len(expected):]}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    try:
        chromium_path()
    except BaseException as error:  # pytest.skip's exception when chromium is missing
        if isinstance(error, KeyboardInterrupt):
            raise
        print(f"FAIL: {error}")
        return 1
    # The handoff must not depend on the time of day, and the case must not
    # expire while the scenario runs (the action servers read these at start).
    os.environ.setdefault("KA_HANDOFF_ALWAYS_OPEN", "true")
    os.environ.setdefault("KA_HANDOFF_WAIT_MINUTES", "10")
    profile = BenchProfile()
    checks: List[Check] = []
    figures: List[str] = []
    try:
        print(f"starting the production profile with 2 Rasa replicas ... ({load()})", flush=True)
        took = profile.up(2)
        print(f"  up in {took:.0f} s", flush=True)
        with browser() as chromium:
            try:
                scenario(profile, chromium, checks, figures)
            except Exception as error:  # noqa: BLE001 - reported as a failed check
                traceback.print_exc()
                first = (str(error).splitlines() or [""])[0]
                checks.append(("the scenario ran to the end", False, f"{type(error).__name__}: {first}"))
    finally:
        profile.down()
    print("\n".join(figures))
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f" ({detail})" if detail else ""))
    failed = not checks or not all(ok for _, ok, _ in checks)
    print(f"{'FAILED' if failed else 'All checks passed.'}  ({load()})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
