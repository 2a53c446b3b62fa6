"""Two Rasa replicas and one conversation: no lost or interleaved turns, and a
replica that dies does not take the service with it.

    .venv/bin/python benchmarks/replicas.py [--bursts 20] [--turns-after-kill 60]

Starts the production profile (scripts/prod/up.sh with its own directory and
ports, as benchmarks/load.py does): PostgreSQL tracker store, Redis lock store,
2 Rasa replicas, 2 action servers, nginx. Then:

1. Bursts: for each of --bursts fresh conversations, 5 messages are sent within
   a few milliseconds, alternating straight to replica 0 and replica 1 (past
   nginx's sticky routing, the worst case). Checks: all 5 answered with HTTP 200
   and a normal answer; in the stored conversation (Rasa's HTTP API with the
   token) the 5 user messages are all there and every one is followed by the
   assistant's turn before the next user message starts (the lock store kept
   the turns apart); no lock error in the replicas' logs.
2. Kill: replica 1 is killed (SIGKILL) and --turns-after-kill turns go through
   nginx at once. Checks: every turn answered, no 5xx at the client.
Prints the figures; exit status 1 if a check fails. Loopback only, bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _prod import BenchProfile, load, rest_turn, summary  # noqa: E402

MESSAGES = ["hej", "hvad er en snusepraktik", "hvor lang tid varer den", "får jeg løn", "tak"]


def interleaved(events: List[Dict]) -> bool:
    """True if a user message arrived before the assistant finished the previous turn."""
    waiting_for_answer = False
    for event in events:
        if event.get("event") == "user":
            if waiting_for_answer:
                return True
            waiting_for_answer = True
        elif event.get("event") == "action" and event.get("name") == "action_listen":
            waiting_for_answer = False
    return False


async def bursts(profile: BenchProfile, count: int, token: str) -> List[str]:
    problems: List[str] = []
    replicas = [f"http://127.0.0.1:{profile.rasa_base_port + i}" for i in range(2)]
    async with aiohttp.ClientSession() as http:
        for number in range(count):
            sender = f"burst-{uuid.uuid4().hex[:10]}"
            tasks = []
            for i, text in enumerate(MESSAGES):
                tasks.append(asyncio.ensure_future(rest_turn(http, replicas[i % 2], sender, text)))
                await asyncio.sleep(0.002)
            outcomes = await asyncio.gather(*tasks)
            bad = [f"{text!r}: {o.kind}" for text, o in zip(MESSAGES, outcomes) if o.kind != "ok"]
            if bad:
                problems.append(f"burst {number}: {bad}")
            async with http.get(f"{replicas[0]}/conversations/{sender}/tracker?token={token}") as response:
                tracker = json.loads(await response.read())
            events = tracker.get("events", [])
            users = [e.get("text") for e in events if e.get("event") == "user"]
            if sorted(users) != sorted(MESSAGES):
                problems.append(f"burst {number}: stored user messages {users}")
            if interleaved(events):
                problems.append(f"burst {number}: two turns of one conversation ran at once")
    return problems


async def after_kill(profile: BenchProfile, turns: int) -> Dict[str, object]:
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        outcomes = await asyncio.gather(*[
            rest_turn(http, profile.base_url, f"kill-{uuid.uuid4().hex[:10]}", MESSAGES[i % len(MESSAGES)])
            for i in range(turns)])
        return summary(outcomes, time.monotonic() - started)


def lock_errors(profile: BenchProfile) -> int:
    count = 0
    for log in (profile.directory / "log").glob("rasa-*.log"):
        text = log.read_text(errors="replace")
        count += text.count("LockError") + text.count("Could not acquire lock")
    return count


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--turns-after-kill", type=int, default=60)
    args = parser.parse_args(argv)
    profile = BenchProfile()
    failures: List[str] = []
    try:
        print(f"starting the production profile with 2 Rasa replicas ... ({load()})", flush=True)
        took = profile.up(2)
        print(f"  up in {took:.0f} s", flush=True)
        token = profile.secrets().get("KA_RASA_TOKEN") or os.environ.get("KA_RASA_TOKEN", "")
        before = lock_errors(profile)
        started = time.monotonic()
        problems = asyncio.run(bursts(profile, args.bursts, token))
        errors = lock_errors(profile) - before
        print(f"bursts: {args.bursts} conversations x 5 messages within ~10 ms, alternating replicas: "
              f"{args.bursts * 5 - len(problems)} of {args.bursts * 5} checks clean, lock errors in logs: "
              f"{errors}  ({time.monotonic() - started:.1f} s, {load()})")
        failures += problems
        if errors:
            failures.append(f"{errors} lock errors in the replicas' logs")

        pid = profile.pids().get("rasa-1")
        if pid:
            os.kill(pid, signal.SIGKILL)
            time.sleep(1)
        figures = asyncio.run(after_kill(profile, args.turns_after_kill))
        print(f"replica 1 killed (pid {pid}); {figures['turns']} turns through nginx at once: "
              f"{figures['ok']} answered, p95 {figures['p95_ms']:.0f} ms, errors {figures['errors'] or 'none'}")
        if figures["ok"] != figures["turns"]:
            failures.append(f"after the kill: {figures['errors']}")
    finally:
        profile.down()
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures[:20]))
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
