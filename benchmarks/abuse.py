"""Abuse run: hostile messages and requests against the real servers.

    .venv/bin/python benchmarks/abuse.py [--rounds 6] [--seed 7] [--url URL --token T]

Starts the embedded stack (tests/stack.py: Rasa with our channels + action
server on loopback) unless --url names a running Rasa server, then sends, per
round, a mix of:

- REST messages with hostile text: markup, script, SQL, template and format
  placeholders ("{answer}", "{{7*7}}", "%s"), control and bidi characters,
  zero-width and combining characters, emoji, 10,000 and 100,000 characters,
  payload syntax for unknown intents and hostile entities ("/book_session{...}");
- malformed REST bodies: broken JSON, invalid UTF-8, wrong types, huge senders,
  and bodies of 1 and 10 MB;
- every route of Rasa's HTTP API without a token and with a wrong one;
- the console without a session (every page and action) and with a forged
  session cookie; the calendar routes with made-up codes and feed tokens;
  knowledge pages with hostile slugs (path traversal, markup);
- the web chat's socket.io: a client that claims another conversation's
  session id (unsigned and with a forged signature).

Checks (exit status 1 if one fails):
- no 5xx, no connection error, no request that hangs (30 s);
- the HTTP API answers 401/403 without a valid token, on every route;
- no page or reply contains our injected markup unescaped;
- a conversation never sees another's text: a secret said by one sender never
  appears in any other sender's replies, and a forged web-chat session id is
  replaced by a fresh one (no join);
- every REST message, however hostile, gets at least one answer with text.
Prints the counts per kind and the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _prod import percentile  # noqa: E402  (shared benchmark helpers, benchmarks/_prod.py)

MARK = "pwn" + uuid.uuid4().hex[:6]  # appears in markup we inject; must never come back raw
HOSTILE_TEXTS = [
    f"<script>window.{MARK}=1</script>",
    f"<img src=x onerror=\"{MARK}()\">",
    f"<a href=\"javascript:{MARK}()\">klik</a>",
    "'; DROP TABLE events; --",
    "1 OR 1=1; SELECT * FROM bookings",
    "{answer}{source}{url}{code}",
    "{{7*7}} {% for x in y %}",
    "%s %d %n %x",
    "\x00\x01\x02 hej \x1b[31m",
    "\u202e\u2066 snusepraktik \u2069",
    "h\u200be\u200bj",
    "e\u0301\u0301\u0301\u0301 ",
    "😀" * 50,
    "x" * 10_000,
    "æøå " * 25_000,
    "/drop_all_tables",
    '/book_session{"booking_slot": "../../etc/passwd"}',
    '/ask_question{"article_slug": "../../../etc/passwd"}',
    '/check_booking{"booking_code": "\' OR 1=1 --"}',
    "SP-2026-0001 ' OR '1'='1",
    "AAAA-AAAA",
    "../../../../etc/passwd",
    "null",
    "   ",
]
MALFORMED_BODIES: List[bytes] = [
    b"{not json", b"", b"[]", b"[1,2,3]", b"null", b"42", b'"hej"',
    b'{"message": "hej"}', b'{"sender": "", "message": "x"}', b'{"sender": null, "message": "x"}',
    b'{"sender": {"a": 1}, "message": "x"}', b'{"sender": ["a"], "message": "x"}',
    "\udcff".encode("utf-8", "surrogatepass"), b"\xff\xfe\xfd", b'{"sender": "\xff", "message": "x"}',
    json.dumps({"sender": "a" * 5000, "message": "hej"}).encode(),
    b'{"sender": "s", "message": "hej"' + b" " * 1000,
]
API_ROUTES: List[Tuple[str, str]] = [
    ("GET", "/status"), ("GET", "/domain"),
    ("GET", "/conversations/{sid}/tracker"), ("PUT", "/conversations/{sid}/tracker/events"),
    ("POST", "/conversations/{sid}/tracker/events"), ("GET", "/conversations/{sid}/story"),
    ("POST", "/conversations/{sid}/execute"), ("POST", "/conversations/{sid}/trigger_intent"),
    ("POST", "/conversations/{sid}/predict"), ("POST", "/conversations/{sid}/messages"),
    ("POST", "/model/train"), ("POST", "/model/test/stories"), ("POST", "/model/test/intents"),
    ("POST", "/model/predict"), ("POST", "/model/parse"), ("PUT", "/model"), ("DELETE", "/model"),
]
CONSOLE_ROUTES: List[Tuple[str, str]] = [
    ("GET", "/konsol/"), ("GET", "/konsol/sager/1"), ("POST", "/konsol/sager/1/svar"),
    ("POST", "/konsol/sager/1/overtag"), ("POST", "/konsol/sager/1/luk"),
    ("POST", "/konsol/sager/1/giv-tilbage"), ("POST", "/konsol/tilgaengelig"),
    ("GET", "/konsol/api/status"), ("GET", "/konsol/api/sager/1/linjer"),
    ("POST", "/konsol/api/heartbeat"), ("GET", "/konsol/bookinger"), ("POST", "/konsol/bookinger/bloker"),
    ("POST", "/konsol/bookinger/K7MQ4XTR/aflys"), ("GET", "/konsol/ansoegninger"),
    ("GET", "/konsol/ansoegninger/SP-2026-0001"), ("POST", "/konsol/ansoegninger/SP-2026-0001/status"),
    ("GET", "/konsol/viden"), ("POST", "/konsol/viden/genindlaes"),
    ("POST", "/konsol/viden/ubesvarede/1/haandteret"), ("POST", "/konsol/logout"), ("POST", "/konsol/login"),
]


class Tally:
    def __init__(self) -> None:
        self.kinds: Counter = Counter()
        self.statuses: Counter = Counter()
        self.failures: List[str] = []
        self.latencies: List[float] = []

    def fail(self, what: str) -> None:
        if len(self.failures) < 40:
            self.failures.append(what)
        self.kinds["FAILED"] += 1


async def request(session: aiohttp.ClientSession, tally: Tally, kind: str, method: str, url: str,
                  **kwargs) -> Tuple[int, str]:
    started = time.perf_counter()
    try:
        async with session.request(method, url, allow_redirects=False,
                                   timeout=aiohttp.ClientTimeout(total=30), **kwargs) as response:
            body = await response.text(errors="replace")
            status = response.status
    except Exception as error:  # a hang or a dropped connection is a finding
        tally.fail(f"{kind} {method} {url[:80]}: {type(error).__name__} {error}")
        return 0, ""
    tally.latencies.append(time.perf_counter() - started)
    tally.kinds[kind] += 1
    tally.statuses[status // 100 * 100] += 1
    if status >= 500:
        tally.fail(f"{kind} {method} {url[:80]}: HTTP {status} {body[:120]!r}")
    if MARK in body and ("<script" in body or "onerror=\"" in body or "javascript:" + MARK in body):
        tally.fail(f"{kind} {method} {url[:80]}: injected markup came back unescaped")
    return status, body


async def rest_round(session, base: str, tally: Tally, rng: random.Random, secrets: Dict[str, str]) -> None:
    url = f"{base}/webhooks/rest/webhook"
    texts = HOSTILE_TEXTS[:]
    rng.shuffle(texts)
    for text in texts:
        sender = f"abuse-{uuid.uuid4().hex[:10]}"
        secret = f"hemmelig{uuid.uuid4().hex[:8]}"
        secrets[sender] = secret
        for message in (f"jeg hedder {secret}", text):
            status, body = await request(session, tally, "rest hostile", "POST", url,
                                         data=json.dumps({"sender": sender, "message": message}),
                                         headers={"Content-Type": "application/json"})
            if status == 200:
                replies = json.loads(body)
                if not any((r.get("text") or "").strip() for r in replies):
                    tally.fail(f"no answer to {message[:40]!r}")
                others = [s for k, s in secrets.items() if k != sender]
                if any(s in body for s in others):
                    tally.fail(f"another conversation's text leaked into {sender}")
            elif status != 400:
                tally.fail(f"rest hostile {message[:40]!r}: HTTP {status}")
    for body in MALFORMED_BODIES:
        status, _ = await request(session, tally, "rest malformed", "POST", url, data=body,
                                  headers={"Content-Type": "application/json"})
        if status not in (400, 413):
            tally.fail(f"malformed body {body[:30]!r}: HTTP {status} (want 400)")
    for size in (1_000_000, 10_000_000):
        big = json.dumps({"sender": "abuse-big", "message": "a" * size}).encode()
        status, body = await request(session, tally, "rest huge", "POST", url, data=big,
                                     headers={"Content-Type": "application/json"})
        if status not in (200, 400, 413):
            tally.fail(f"{size} byte body: HTTP {status}")


async def api_round(session, base: str, tally: Tally, token: str) -> None:
    sid = f"abuse-{uuid.uuid4().hex[:8]}"
    for method, route in API_ROUTES:
        path = route.format(sid=sid)
        for suffix in ("", "?token=wrong-token", f"?token={token}x"):
            status, _ = await request(session, tally, "api without token", method, base + path + suffix,
                                      data=b"{}", headers={"Content-Type": "application/json"})
            if route != "/status" and status not in (401, 403):
                tally.fail(f"{method} {path}{suffix}: HTTP {status} without a valid token")
            if route == "/status" and status not in (401, 403):
                tally.fail(f"/status{suffix}: HTTP {status} without a valid token")


async def pages_round(session, base: str, tally: Tally, rng: random.Random) -> None:
    forged = {"Cookie": "ka_konsol=" + uuid.uuid4().hex}
    for method, route in CONSOLE_ROUTES:
        for headers in ({}, forged):
            status, body = await request(session, tally, "console without login", method, base + route,
                                         data={"svar": f"<script>{MARK}</script>"}, headers=headers)
            if status == 200 and route != "/konsol/login" and "login" not in body.lower():
                tally.fail(f"console {method} {route}: 200 without a session")
            if method == "POST" and status in (200, 201, 204) and route != "/konsol/login":
                tally.fail(f"console {method} {route}: accepted without a session")
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    for _ in range(10):
        code = "".join(rng.choice(alphabet) for _ in range(8))
        status, _ = await request(session, tally, "calendar guesses", "GET",
                                  f"{base}/kalender/booking/{code}.ics")
        if status != 404:
            tally.fail(f"calendar /{code}.ics: HTTP {status} (want 404)")
        status, _ = await request(session, tally, "calendar guesses", "GET",
                                  f"{base}/kalender/raadgiver/raadgiver-1/{uuid.uuid4().hex}.ics")
        if status != 404:
            tally.fail(f"counsellor feed with a made-up token: HTTP {status} (want 404)")
    for slug in ("..%2F..%2Fetc%2Fpasswd", "%3Cscript%3E" + MARK, "a" * 3000, "%00", "viden/../../"):
        await request(session, tally, "knowledge pages", "GET", f"{base}/viden/{slug}")


async def socket_round(base: str, tally: Tally) -> None:
    """A web-chat client claiming another session id gets a fresh one of its own."""
    import socketio  # python-socketio, pinned by Rasa

    victim = socketio.AsyncClient(reconnection=False)
    attacker = socketio.AsyncClient(reconnection=False)
    confirmed: Dict[str, str] = {}

    @victim.on("session_confirm")
    async def _victim(data):  # noqa: ANN001
        confirmed["victim"] = data

    @attacker.on("session_confirm")
    async def _attacker(data):  # noqa: ANN001
        confirmed["attacker"] = data

    async def confirmation(who: str) -> None:
        for _ in range(50):  # up to 5 s
            if who in confirmed:
                return
            await asyncio.sleep(0.1)

    try:
        # Long polling: the websocket transport of the pinned engineio client needs a newer aiohttp.
        await victim.connect(base, socketio_path="/socket.io", transports=["polling"])
        await victim.emit("session_request", {"session_id": None})
        await confirmation("victim")
        token = str(confirmed.get("victim", ""))
        session_id = token.split(".")[0]
        await attacker.connect(base, socketio_path="/socket.io", transports=["polling"])
        for claim in (session_id, session_id + ".forged", token[:-2] + "xx"):
            confirmed.pop("attacker", None)
            await attacker.emit("session_request", {"session_id": claim})
            await confirmation("attacker")
            got = str(confirmed.get("attacker", ""))
            tally.kinds["socket.io foreign session"] += 1
            if not got:
                tally.fail("socket.io: no session confirmed for a forged claim")
            elif got.split(".")[0] == session_id:
                tally.fail("socket.io: a client joined another conversation's session")
    except Exception as error:
        tally.fail(f"socket.io: {type(error).__name__} {error}")
    finally:
        for client in (victim, attacker):
            try:
                await client.disconnect()
            except Exception:
                pass


async def run(base: str, token: str, rounds: int, seed: int) -> Tally:
    tally = Tally()
    rng = random.Random(seed)
    secrets: Dict[str, str] = {}
    connector = aiohttp.TCPConnector(limit=8)
    async with aiohttp.ClientSession(connector=connector) as session:
        for number in range(rounds):
            await asyncio.gather(rest_round(session, base, tally, rng, secrets),
                                 api_round(session, base, tally, token),
                                 pages_round(session, base, tally, rng))
            print(f"  round {number + 1}/{rounds}: {sum(tally.kinds.values())} requests so far", flush=True)
    await socket_round(base, tally)
    return tally


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="a running Rasa server (nothing is started)")
    parser.add_argument("--token", default="", help="its HTTP API token (to check wrong ones are refused)")
    args = parser.parse_args(argv)
    stack = None
    if args.url:
        base, token = args.url.rstrip("/"), args.token
    else:
        from tests.stack import start_stack

        print("starting the embedded stack ...", flush=True)
        stack = start_stack(Path(tempfile.mkdtemp(prefix="abuse-")))
        base, token = stack.rasa_url, stack.token
    try:
        started = time.perf_counter()
        tally = asyncio.run(run(base, token, args.rounds, args.seed))
        took = time.perf_counter() - started
    finally:
        if stack:
            stack.stop()
    total = sum(v for k, v in tally.kinds.items() if k != "FAILED")
    print(f"\nAbuse run against {base}: {total} requests in {took:.0f} s")
    for kind, count in sorted(tally.kinds.items()):
        print(f"  {kind:<28} {count:6d}")
    print("  HTTP status classes: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items())))
    if tally.latencies:
        latencies = tally.latencies
        print(f"  latency p50 {percentile(latencies, 50) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    if tally.failures:
        print(f"\nFAILED checks ({tally.kinds['FAILED']}):")
        for failure in tally.failures:
            print("  - " + failure)
        return 1
    print("\nAll checks passed: no 5xx, no hang, every API route refused without a valid token, "
          "no markup back unescaped, no conversation saw another's text, no foreign session joined.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
