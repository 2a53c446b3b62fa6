"""Checks a running production profile (scripts/prod/up.sh) from the outside.

    python scripts/prod/smoke.py [--clients 6]

Over nginx on loopback it checks: the health route; REST turns; web chat
clients (socket.io polling, then websocket, sticky by the ka_route cookie)
each getting a session and an answer; a push sent through *another* replica
(Rasa HTTP API, trigger_intent) reaching a client (Redis fan-out); the action
endpoint refusing requests without the shared secret; bodies over the limit
getting 413. Prints one line per check; exits 1 if one fails. Bounded: every
wait has a timeout.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Dict, List

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[2]
PROD = Path(os.environ.get("KA_PROD_DIR", ROOT / "var" / "prod"))


def _secrets() -> Dict[str, str]:
    values = dict(os.environ)
    path = PROD / "run" / "secrets.env"
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                values.setdefault(key, value)
    return values


class Report:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.failed += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")


async def webchat_client(base: str, number: int) -> Dict[str, object]:
    """One browser: load the page (cookie), connect, get a session, say hello."""
    # Like a browser: one cookie jar for the page and the socket (ka_route is set
    # by nginx on the page and sent back with every socket.io request).
    http = aiohttp.ClientSession()
    async with http.get(f"{base}/chat/") as page:
        await page.read()
    sio = socketio.AsyncClient(reconnection=False, http_session=http)
    got: Dict[str, asyncio.Future] = {
        name: asyncio.get_running_loop().create_future()
        for name in ("session_confirm", "bot_uttered", "pushed")
    }

    @sio.on("session_confirm")
    async def confirmed(token):
        if not got["session_confirm"].done():
            got["session_confirm"].set_result(token)

    @sio.on("bot_uttered")
    async def uttered(message):
        key = "bot_uttered" if not got["bot_uttered"].done() else "pushed"
        if not got[key].done():
            got[key].set_result(message)

    # Long-polling only: every poll is its own HTTP request, so this is where
    # stickiness matters (python-engineio's websocket client needs aiohttp >= 3.10).
    try:
        await sio.connect(base, transports=["polling"], socketio_path="/socket.io", wait_timeout=20)
        await sio.emit("session_request", {"session_id": None})
        token = await asyncio.wait_for(got["session_confirm"], 20)
        await sio.emit("user_uttered", {"message": "hej", "session_id": token})
        answer = await asyncio.wait_for(got["bot_uttered"], 90)
        return {"session": token.split(".")[0], "answer": answer, "sio": sio, "got": got,
                "transport": sio.transport(), "http": http}
    except BaseException:
        await sio.disconnect()
        await http.close()
        raise


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default=f"http://localhost:{os.environ.get('KA_PROD_HTTP_PORT', '8080')}")
    parser.add_argument("--actions", default=f"http://127.0.0.1:{os.environ.get('KA_PROD_ACTIONS_LB_PORT', '8055')}")
    parser.add_argument("--replicas", default=os.environ.get("KA_PROD_RASA_BASE_PORT", "5105"),
                        help="port of the first Rasa replica (the next ones follow)")
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    secrets = _secrets()
    token = secrets.get("KA_RASA_TOKEN", "")
    report = Report()
    timeout = aiohttp.ClientTimeout(total=90)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        async with http.get(f"{args.base}/webhooks/production/health") as response:
            report.check("health through nginx", response.status == 200, await response.text())
        sender = f"smoke-{uuid.uuid4().hex[:8]}"
        async with http.post(f"{args.base}/webhooks/rest/webhook",
                             json={"sender": sender, "message": "hej"}) as response:
            body = await response.json()
            report.check("REST turn", response.status == 200 and bool(body) and "text" in body[0],
                         f"HTTP {response.status}, {len(body)} message(s)")
        async with http.post(f"{args.base}/webhooks/rest/webhook",
                             data=b"x" * 200_000) as response:
            report.check("body over the limit refused", response.status == 413, f"HTTP {response.status}")
        async with http.post(f"{args.actions}/webhook", json={}) as response:
            report.check("action endpoint without secret refused", response.status == 403,
                         f"HTTP {response.status}")

    log = PROD / "log" / "nginx-access.log"
    log_start = log.stat().st_size if log.exists() else 0
    clients: List[Dict[str, object]] = []
    try:
        results = await asyncio.gather(*(webchat_client(args.base, n) for n in range(args.clients)),
                                       return_exceptions=True)
        clients = [r for r in results if isinstance(r, dict)]
        errors = [repr(r)[:120] for r in results if not isinstance(r, dict)]
        report.check(f"web chat clients answered ({args.clients}, sticky long-polling)",
                     not errors, "; ".join(errors) or
                     ", ".join(sorted({str(c['transport']) for c in clients})))
        # A push through each replica's HTTP API reaches the client, wherever its socket is.
        if clients and token:
            first = int(args.replicas)
            ports = [first, first + 1]
            async with aiohttp.ClientSession(timeout=timeout) as http:
                for n, client in enumerate(clients[:4]):
                    port = ports[n % 2]
                    url = (f"http://127.0.0.1:{port}/conversations/{client['session']}/trigger_intent"
                           f"?output_channel=latest&token={token}")
                    async with http.post(url, json={"name": "greet"}) as response:
                        status = response.status
                    got = client["got"]
                    try:
                        await asyncio.wait_for(got["pushed"], 30)
                        arrived = True
                    except asyncio.TimeoutError:
                        arrived = False
                    report.check(f"push via replica :{port} reached client {n}", status == 200 and arrived,
                                 f"HTTP {status}")
    finally:
        for client in clients:
            await client["sio"].disconnect()
            await client["http"].close()

    if log.exists():
        with log.open() as handle:
            handle.seek(log_start)
            lines = handle.read().splitlines()
        bad = [line for line in lines if re.search(r'"(GET|POST) /socket.io/" 400 ', line)]
        report.check("no socket.io session lost between replicas", not bad, f"{len(bad)} HTTP 400")
    print("all checks passed" if not report.failed else f"{report.failed} check(s) failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
