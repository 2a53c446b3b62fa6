"""Fault test of the production profile: a store stops for 30 s during load.

    .venv/bin/python benchmarks/fault_stores.py [--stores postgres,redis] [--users 4]
        [--before 20] [--outage 30] [--after 40]

Starts the profile (scripts/prod/up.sh, own directory var/bench-prod and own
ports, 2 Rasa replicas), runs a closed-loop REST load of five-message
conversations, stops PostgreSQL (pg_ctl stop -m fast) or Redis (SHUTDOWN) for
--outage seconds, starts it again (up.sh, which starts only what is missing)
and keeps the load going. Prints per phase the answers by kind, then checks:

- no HTTP 5xx and no connection errors at any time (nginx and Rasa stay up);
- during the outage every turn is either answered or refused with the Danish
  "Assistenten kan ikke svare lige nu. Prøv igen om lidt.";
- the health route says 503 during the outage and 200 afterwards;
- recovery without restart: answers are normal again within 15 s of the store
  being back, and the Rasa processes are the same ones (same pids).
Exit status 1 if a check fails. Loopback only; bounded in time.
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _prod import UNAVAILABLE, BenchProfile, Outcome, load, rest_turn  # noqa: E402
from load import CONVERSATIONS  # noqa: E402

RECOVERY_SECONDS = 15.0


async def health(http: aiohttp.ClientSession, base_url: str) -> int:
    try:
        async with http.get(f"{base_url}/webhooks/production/health",
                            timeout=aiohttp.ClientTimeout(total=10)) as response:
            return response.status
    except Exception:
        return 0


def stop_store(profile: BenchProfile, store: str) -> None:
    if store == "postgres":
        profile.postgres("stop")
        return
    password = profile.secrets()["KA_REDIS_PASSWORD"]
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(profile.redis_port), "-a", password,
                    "--no-auth-warning", "shutdown", "nosave"], capture_output=True, timeout=30)


def start_store(profile: BenchProfile) -> None:
    profile.postgres("start")  # runs up.sh: starts whatever is not running


async def fault_run(profile: BenchProfile, store: str, args: argparse.Namespace) -> List[str]:
    timeline: List[Tuple[float, Outcome]] = []
    marks: Dict[str, float] = {}
    health_seen: Dict[str, int] = {}
    end = time.monotonic() + args.before + args.outage + args.after + 120  # hard stop
    stop_load = asyncio.Event()
    t0 = time.monotonic()

    async def user(number: int, http: aiohttp.ClientSession) -> None:
        conversation = number
        while not stop_load.is_set() and time.monotonic() < end:
            sender = f"fault-{uuid.uuid4().hex[:16]}"
            for text in CONVERSATIONS[conversation % len(CONVERSATIONS)]:
                if stop_load.is_set():
                    return
                outcome = await rest_turn(http, profile.base_url, sender, text, timeout=45)
                timeline.append((time.monotonic() - t0, outcome))
                if outcome.kind != "ok":
                    await asyncio.sleep(0.2)  # a person would wait a moment before retrying
            conversation += args.users

    async def conductor(http: aiohttp.ClientSession) -> None:
        await asyncio.sleep(args.before)
        marks["stopped"] = time.monotonic() - t0
        await asyncio.to_thread(stop_store, profile, store)
        await asyncio.sleep(min(5, args.outage))
        health_seen["during"] = await health(http, profile.base_url)
        await asyncio.sleep(max(0, args.outage - 5))
        marks["restarting"] = time.monotonic() - t0
        await asyncio.to_thread(start_store, profile)
        marks["back"] = time.monotonic() - t0
        await asyncio.sleep(args.after)
        health_seen["after"] = await health(http, profile.base_url)
        stop_load.set()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.users * 2)) as http:
        await asyncio.gather(conductor(http), *(user(n, http) for n in range(args.users)))

    def phase(start: float, stop: float) -> Dict[str, int]:
        kinds: Dict[str, int] = {}
        for at, outcome in timeline:
            if start <= at < stop:
                kinds[outcome.kind] = kinds.get(outcome.kind, 0) + 1
        return kinds

    last = timeline[-1][0] if timeline else 0
    phases = [("before", 0, marks["stopped"]), ("outage", marks["stopped"], marks["back"]),
              ("after", marks["back"], last + 1)]
    first_ok_after = next((at for at, o in timeline if at >= marks["back"] and o.kind == "ok"), None)
    recovered_by = marks["back"] + RECOVERY_SECONDS
    late_failures = sum(1 for at, o in timeline if at >= recovered_by and o.kind != "ok")
    server_errors = sum(1 for _, o in timeline if o.kind.startswith("http_5") or o.kind.startswith("error"))
    other = sum(1 for _, o in timeline if o.kind not in ("ok", "refused"))
    lines = [f"{store}: stopped at {marks['stopped']:.0f} s, restart began {marks['restarting']:.0f} s, "
             f"back at {marks['back']:.0f} s ({load()})"]
    for name, start, stop in phases:
        kinds = phase(start, stop)
        lines.append(f"  {name:<7} {stop - start:5.0f} s  " +
                     ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    checks = [
        ("no HTTP 5xx or connection errors", server_errors == 0, f"{server_errors}"),
        ("every turn answered or refused in Danish", other == 0, f"{other} other"),
        ("health 503 during the outage", health_seen.get("during") == 503, str(health_seen.get("during"))),
        ("health 200 afterwards", health_seen.get("after") == 200, str(health_seen.get("after"))),
        (f"normal answers within {RECOVERY_SECONDS:g} s of the store being back",
         first_ok_after is not None and late_failures == 0,
         f"first answer {first_ok_after - marks['back']:.1f} s after, {late_failures} failures later"
         if first_ok_after is not None else "no answer after"),
    ]
    for name, ok, detail in checks:
        lines.append(f"  {'ok  ' if ok else 'FAIL'} {name} ({detail})")
    lines.append("  refusal text: " + UNAVAILABLE)
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", default="postgres,redis")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--before", type=float, default=20)
    parser.add_argument("--outage", type=float, default=30)
    parser.add_argument("--after", type=float, default=40)
    args = parser.parse_args(argv)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not set(stores) <= {"postgres", "redis"} or not stores:
        parser.error("--stores: postgres and/or redis")
    if not (1 <= args.users <= 32 and 0 < args.outage <= 120 and 5 <= args.before <= 120
            and 5 <= args.after <= 120):
        parser.error("1-32 users; outage 0-120 s; before and after 5-120 s")
    profile = BenchProfile()
    failed = False
    try:
        took = profile.up(2)
        print(f"profile with 2 Rasa replicas up in {took:.0f} s", flush=True)
        pids = {k: v for k, v in profile.pids().items() if k.startswith("rasa-")}
        for store in stores:
            lines = asyncio.run(fault_run(profile, store, args))
            failed |= any(line.strip().startswith("FAIL") for line in lines)
            print("\n".join(lines), flush=True)
        same = pids == {k: v for k, v in profile.pids().items() if k.startswith("rasa-")}
        print(f"{'ok  ' if same else 'FAIL'} no Rasa replica was restarted (pids {sorted(pids.values())})")
        failed |= not same
    finally:
        profile.down()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
