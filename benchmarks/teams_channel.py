"""Benchmark: the Teams channel against a fake Bot Framework on loopback.

    .venv/bin/python benchmarks/teams_channel.py [--messages 300] [--concurrency 10]

Prints
- token check: InboundAuthenticator.authenticate (RS256 verify + claim checks), per token;
- webhook: HTTP answer time of /webhooks/teams/webhook (auth + parse + queue the turn),
  sequential and with --concurrency employees at once;
- end to end: from posting an activity to the fake connector receiving the reply
  (a canned echo instead of the NLU model, so this is the channel's own share),
  and messages per second;
- proactive: send_proactive per message (reference lookup in SQLite + POST).

The model is not involved: add Rasa's own turn time (benchmarks/latency.py) for
what an employee waits in total.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.teams.activities import parse_activity, pseudonym  # noqa: E402
from bot.channels.teams.proactive import install_messenger, send_proactive  # noqa: E402
from bot.db import upgrade_schema  # noqa: E402
from tests.teams.harness import PSEUDONYM_SECRET, TeamsStack, message  # noqa: E402


def figures(name: str, samples_ms: List[float]) -> None:
    ordered = sorted(samples_ms)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"  {name:<44} n={len(ordered):<5} median {statistics.median(ordered):7.2f} ms"
          f"   p95 {p95:7.2f} ms   max {ordered[-1]:7.2f} ms")


async def run(messages: int, concurrency: int, db_url: str) -> None:
    async with TeamsStack(db_url) as stack:
        fake = stack.fake
        # Warm up: keys, outbound token, database.
        await stack.post(message(fake, "varm op"))
        await fake.wait_for(1)

        channel_token = fake.channel_token()  # signed once: signing is the client's cost
        token = f"Bearer {channel_token}"
        checks = []
        for _ in range(messages):
            start = time.perf_counter()
            await stack.channel.authenticator.authenticate(token)
            checks.append((time.perf_counter() - start) * 1000)
        print("token check")
        figures("authenticate() per token", checks)

        async def employee(index: int, count: int, answers: List[float], e2e: List[float]) -> None:
            user = {"id": f"29:bench-{index}", "aadObjectId": f"bench-aad-{index}"}
            conversation = f"a:bench-{index}"
            for n in range(count):
                text = f"besked {index}-{n}"
                start = time.perf_counter()
                status, _ = await stack.post(message(fake, text, user=user, conversation=conversation),
                                             token=channel_token)
                answers.append((time.perf_counter() - start) * 1000)
                assert status == 200
                expected = f"Du skrev: {text}"
                while not any(d.activity.get("text") == expected for d in fake.delivered[-50:]):
                    await asyncio.sleep(0.0005)
                e2e.append((time.perf_counter() - start) * 1000)

        for label, workers in (("sequential", 1), (f"{concurrency} employees at once", concurrency)):
            answers: List[float] = []
            e2e: List[float] = []
            started = time.perf_counter()
            per_worker = max(1, messages // workers)
            await asyncio.gather(*(employee(i, per_worker, answers, e2e) for i in range(workers)))
            took = time.perf_counter() - started
            print(f"webhook, {label}")
            figures("HTTP answer (200)", answers)
            figures("post -> reply at the connector", e2e)
            print(f"  {'throughput':<44} {len(e2e) / took:7.1f} messages/s")

        sender = pseudonym(PSEUDONYM_SECRET, parse_activity(message(fake, "x", user={
            "id": "29:bench-0", "aadObjectId": "bench-aad-0"}, conversation="a:bench-0")))
        install_messenger(stack.channel.messenger)
        proactive = []
        for n in range(messages):
            start = time.perf_counter()
            await send_proactive(sender, f"Svar {n} fra rådgiveren")
            proactive.append((time.perf_counter() - start) * 1000)
        install_messenger(None)
        print("proactive")
        figures("send_proactive()", proactive)
        print(f"  outbound token fetches in the whole run: {len(fake.token_requests)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'teams.db'}"
        upgrade_schema(db_url)
        asyncio.run(run(args.messages, args.concurrency, db_url))


if __name__ == "__main__":
    main()
