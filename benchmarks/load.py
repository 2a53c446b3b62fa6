"""Load of realistic conversations over the REST channel: the embedded default
against the production profile with one and with two Rasa replicas.

    .venv/bin/python benchmarks/load.py [--users 8] [--seconds 45] [--max-turns 1500]
        [--think 0] [--only embedded,prod1,prod2] [--url URL]

Configurations (each started by this script and stopped afterwards):
  embedded  tests/stack.py: SQLite tracker store, in-process lock, 1 Rasa + 1 action server
  prod1     scripts/prod/up.sh with its own directory and ports (var/bench-prod):
            PostgreSQL, Redis lock store, nginx, 1 Rasa replica, 2 action servers
  prod2     the same grown to 2 Rasa replicas (up.sh is idempotent)
--url measures an already running server instead (nothing is started).

Each virtual user holds five-message conversations as employees would write
them (a fresh sender per conversation, waiting for every answer before the next
message; by default no pause: closed-loop stress), until --seconds have passed or
--max-turns were sent. Prints p50 / p95 / p99 of the answered turns,
throughput (turns/s) and errors by kind (HTTP status, refusals with the Danish
"kan ikke svare" text, connection errors), with the machine's load average:
other users of the machine share its 2 cores, so compare figures of one run.
--think S makes each user pause before every message after a conversation's
first, for a random 0.5-1.5 x S seconds (reading the answer, typing the next
line; people take longer than the 2 s used in the README), seeded per user.
Loopback only; bounded in turns and time.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _prod import BenchProfile, Outcome, describe, load, rest_turn, start_embedded, summary  # noqa: E402

CONVERSATIONS: List[List[str]] = [
    ["hej", "hvad er en snusepraktik?", "hvad kan du hjælpe med", "hvordan søger jeg udveksling",
     "tak for hjælpen"],
    ["goddag", "kan man få anonym vejledning?", "hjælp", "hvornår kommer lønnen", "farvel"],
    ["hej, jeg er sygeplejerske på Herlev", "hvem kan søge udveksling", "hvad kan du?",
     "hvordan bliver vejret i morgen", "tak"],
    ["godmorgen", "hvilke karriereveje har jeg som sygeplejerske", "er du en bot?",
     "jeg vil gerne tale med en rådgiver", "vi ses"],
    ["hej", "jeg vil gerne booke en samtale", "stop", "hvad er en karriererådgiver", "tak"],
]


async def run_load(base_url: str, users: int, seconds: float, max_turns: int,
                   think: float = 0.0) -> Dict[str, object]:
    outcomes: List[Outcome] = []
    deadline = time.monotonic() + seconds
    budget = {"left": max_turns}

    async def user(number: int, http: aiohttp.ClientSession) -> None:
        conversation = number
        pauses = random.Random(number)
        while time.monotonic() < deadline and budget["left"] > 0:
            sender = f"load-{uuid.uuid4().hex[:16]}"
            for position, text in enumerate(CONVERSATIONS[conversation % len(CONVERSATIONS)]):
                if think > 0 and position > 0:
                    await asyncio.sleep(think * pauses.uniform(0.5, 1.5))
                if time.monotonic() >= deadline or budget["left"] <= 0:
                    return
                budget["left"] -= 1
                outcomes.append(await rest_turn(http, base_url, sender, text))
            conversation += users

    connector = aiohttp.TCPConnector(limit=users * 2)
    async with aiohttp.ClientSession(connector=connector) as http:
        # Warm-up (not counted): every model and connection pool touched once.
        for text in CONVERSATIONS[0][:3]:
            await rest_turn(http, base_url, f"warm-{uuid.uuid4().hex[:8]}", text)
        started = time.monotonic()
        await asyncio.gather(*(user(n, http) for n in range(users)))
        wall = time.monotonic() - started
    return summary(outcomes, wall)


def measure(name: str, base_url: str, args: argparse.Namespace) -> str:
    before = load()
    figures = asyncio.run(run_load(base_url, args.users, args.seconds, args.max_turns, args.think))
    line = describe(name, figures, f"{before} -> {load()}")
    print(line, flush=True)
    return line


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--max-turns", type=int, default=1500)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in seconds before each message after the first")
    parser.add_argument("--only", default="embedded,prod1,prod2")
    parser.add_argument("--url", help="measure this running server only")
    args = parser.parse_args(argv)
    if (args.users < 1 or args.seconds <= 0 or args.max_turns < 1 or args.seconds > 600
            or not 0 <= args.think <= 60):
        parser.error("--users >= 1, 0 < --seconds <= 600, --max-turns >= 1, 0 <= --think <= 60")
    pauses = f"pauses of {args.think:g} s on average" if args.think else "no pauses (stress)"
    print(f"REST load: {args.users} users, up to {args.seconds:g} s / {args.max_turns} turns per "
          f"configuration, conversations of 5 messages, {pauses}", flush=True)
    if args.url:
        measure(args.url, args.url.rstrip("/"), args)
        return 0
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    lines: List[str] = []
    if "embedded" in wanted:
        workdir = Path(tempfile.mkdtemp(prefix="ka-load-"))
        stack = start_embedded(workdir)
        try:
            lines.append(measure("embedded (SQLite, 1+1)", stack.rasa_url, args))
        finally:
            stack.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    if wanted & {"prod1", "prod2"}:
        profile = BenchProfile()
        try:
            if "prod1" in wanted:
                took = profile.up(1)
                print(f"(profile with 1 Rasa replica up in {took:.0f} s)", flush=True)
                lines.append(measure("profile, 1 Rasa replica", profile.base_url, args))
            if "prod2" in wanted:
                took = profile.up(2)
                print(f"(profile with 2 Rasa replicas up in {took:.0f} s)", flush=True)
                lines.append(measure("profile, 2 Rasa replicas", profile.base_url, args))
        finally:
            profile.down()
    print("\nSummary")
    for line in lines:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
