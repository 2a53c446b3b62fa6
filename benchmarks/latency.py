"""REST round-trip latency and throughput: our assistant against a stock
`rasa init` bot, side by side in one run.

    .venv/bin/python benchmarks/latency.py [--requests 200] [--rounds 3] [--levels 1,10]
        [--stock-dir DIR] [--stock-tracker-store sqlite|memory]

(i)  ours: action server + Rasa server started the way tests/stack.py does
     (models/karriereassistent.tar.gz; `make train` first if it is missing),
     trackers in SQLite;
(ii) stock: `rasa init --no-prompt` in a temporary directory (trained there,
     nothing downloaded), with its own action server (`rasa run actions`) and by
     default Rasa's SQLTrackerStore on SQLite, so both keep their conversations
     in a database (ours writes the same table through its own statements,
     bot/channels/tracker_store.py); --stock-tracker-store memory gives rasa init's
     own default, which keeps them in process memory only. --stock-dir reuses a
     project made earlier.

Each virtual user holds short conversations (a fresh sender per conversation,
waiting for every reply before the next message): greetings, knowledge
questions, help, out-of-scope and thanks for ours; greet, mood, yes/no, bot
challenge and goodbye for stock. At each concurrency level every bot gets the
same number of requests (--requests, default 200), sent in A-B-B-A halves
(ours, stock, stock, ours) so that load from other users of the machine falls
on both alike, and that --rounds times (default 3): the stock bot's own p50 was
seen anywhere between 36 and 61 ms from one run to the next, so the verdict
takes the median of the rounds' ratios and prints their range. Loopback only;
the run is bounded and stops by itself.

Prints p50 / p95 round trip and throughput (requests/s) per bot and level, the
ratios ours/stock and the load average next to each figure.
Target: our p50 no slower than the stock bot's.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _prod import load  # noqa: E402  (shared benchmark helpers, benchmarks/_prod.py)

from tests.stack import BIN, MODEL, free_port, start_stack, wait_for  # noqa: E402

REQUEST_TIMEOUT = 60.0  # seconds per HTTP request
STOCK_INIT_TIMEOUT = 1800  # rasa init (training included)

# Conversations of five messages each, as users would write them.
OURS: List[List[str]] = [
    ["hej", "hvad er en snusepraktik?", "hvad kan du hjælpe med", "mit password virker ikke",
     "tak for hjælpen"],
    ["goddag", "kan man få anonym vejledning?", "hjælp", "hvornår kommer lønnen", "farvel"],
    ["hej, jeg er sygeplejerske på Herlev", "hvem kan søge udveksling", "hvad kan du?",
     "hvordan bliver vejret i morgen", "tak"],
    ["godmorgen", "hvilke karriereveje har jeg som sygeplejerske", "er du en bot?",
     "kan du bytte min vagt", "vi ses"],
]
STOCK: List[List[str]] = [
    ["hey", "I am sad", "yes", "are you a human?", "bye"],
    ["hello", "I am feeling great", "are you a bot?", "no", "goodbye"],
    ["good morning", "my day was horrible", "no", "am I talking to a bot?", "see you"],
    ["hi there", "perfect", "are you a human?", "yes", "bye"],
]



def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- servers


@dataclass
class Bot:
    name: str
    url: str
    conversations: List[List[str]]
    processes: List[subprocess.Popen] = field(default_factory=list)
    stop_callback: Optional[object] = None

    def stop(self) -> None:
        if self.stop_callback is not None:
            self.stop_callback()  # type: ignore[operator]
            return
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def ensure_our_model() -> None:
    if MODEL.exists():
        return
    print(f"{MODEL.relative_to(ROOT)} is missing: running `make train` ...", flush=True)
    subprocess.run(["make", "train"], cwd=ROOT, check=True)


def start_ours(workdir: Path) -> Bot:
    ensure_our_model()
    stack = start_stack(workdir / "ours")
    return Bot("ours", stack.rasa_url, OURS, stop_callback=stack.stop)


def stock_env(cache: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
                "RASA_CACHE_DIRECTORY": str(cache), "PATH": f"{BIN}:{env.get('PATH', '')}"})
    return env


def make_stock_project(project: Path, workdir: Path) -> None:
    """`rasa init --no-prompt` creates the project and trains its model."""
    project.mkdir(parents=True, exist_ok=True)  # rasa init refuses a path that does not exist
    log = workdir / "stock_init.log"
    print(f"creating and training the stock bot with `rasa init --no-prompt` ... ({load()})",
          flush=True)
    start = time.perf_counter()
    with log.open("w") as handle:
        proc = subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
                              cwd=project.parent, env=stock_env(workdir / "stock_cache"),
                              stdout=handle, stderr=subprocess.STDOUT, timeout=STOCK_INIT_TIMEOUT)
    if proc.returncode != 0 or not list((project / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init failed:\n{log.read_text(errors='replace')[-4000:]}")
    print(f"stock bot trained in {time.perf_counter() - start:.0f} s ({load()})", flush=True)


def start_stock(project: Path, workdir: Path, tracker_store: str) -> Bot:
    rasa_port, actions_port = free_port(), free_port()
    endpoints = workdir / "stock_endpoints.yml"
    text = f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
    if tracker_store == "sqlite":
        text += (f"tracker_store:\n  type: SQL\n  dialect: sqlite\n"
                 f"  db: {workdir / 'stock_trackers.db'}\n")
    endpoints.write_text(text)
    env = stock_env(workdir / "stock_cache")
    actions_log, rasa_log = workdir / "stock_actions.log", workdir / "stock_rasa.log"
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        cwd=project, env=env, stdout=actions_log.open("w"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--enable-api", "--auth-token", "bench-token",
         "--port", str(rasa_port), "--credentials", "credentials.yml",
         "--endpoints", str(endpoints), "--model", "models"],
        cwd=project, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT)
    bot = Bot("stock", f"http://127.0.0.1:{rasa_port}", STOCK, [rasa, actions])
    try:
        wait_for(f"http://127.0.0.1:{actions_port}/health", 180, actions, actions_log)
        wait_for(f"{bot.url}/status?token=bench-token", 300, rasa, rasa_log)
    except Exception:
        bot.stop()
        raise
    return bot


# --------------------------------------------------------------------------- load


@dataclass
class Sample:
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    empty: int = 0
    elapsed: float = 0.0

    def add(self, other: "Sample") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.empty += other.empty
        self.elapsed += other.elapsed

    @property
    def requests(self) -> int:
        return len(self.latencies)


def post(url: str, sender: str, text: str) -> Tuple[bool, bool]:
    """(ok, replied) for one REST round trip."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            replies = json.loads(response.read() or b"[]")
            return response.status == 200, bool(replies)
    except (urllib.error.URLError, OSError, ValueError):
        return False, False


def drive(bot: Bot, requests: int, users: int, offset: int) -> Sample:
    """Send `requests` messages as `users` concurrent users, conversation by
    conversation; returns the round-trip times in seconds."""
    work: "queue.Queue[List[str]]" = queue.Queue()
    left, index = requests, offset
    while left > 0:
        conversation = bot.conversations[index % len(bot.conversations)][:left]
        work.put(conversation)
        left -= len(conversation)
        index += 1
    sample, lock = Sample(), threading.Lock()

    def user() -> None:
        while True:
            try:
                conversation = work.get_nowait()
            except queue.Empty:
                return
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            for text in conversation:
                start = time.perf_counter()
                ok, replied = post(bot.url, sender, text)
                took = time.perf_counter() - start
                with lock:
                    sample.latencies.append(took)
                    sample.errors += not ok
                    sample.empty += ok and not replied

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sample.elapsed = time.perf_counter() - start
    return sample


def warm_up(bot: Bot) -> None:
    for conversation in bot.conversations:
        sender = f"warmup-{uuid.uuid4().hex[:8]}"
        for text in conversation:
            post(bot.url, sender, text)


def report(level: int, results: Dict[str, Sample], level_load: str, title: str = "") -> float:
    """Print one level's (or round's) figures; return the ratio of the p50s, ours/stock."""
    figures: Dict[str, Dict[str, float]] = {}
    for name, s in results.items():
        figures[name] = {
            "p50": 1000 * percentile(s.latencies, 50),
            "p95": 1000 * percentile(s.latencies, 95),
            "rps": s.requests / s.elapsed if s.elapsed else float("nan"),
        }
    heading = f"{level} concurrent user{'s' if level > 1 else ''}" + (f", {title}" if title else "")
    print(f"\n{heading}  ({level_load})")
    print(f"  {'bot':<7}{'requests':>9}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}")
    for name, s in results.items():
        f = figures[name]
        print(f"  {name:<7}{s.requests:>9}{s.errors:>7}{f['p50']:>9.1f}{f['p95']:>9.1f}"
              f"{f['rps']:>8.1f}")
        if s.empty:
            print(f"    ({s.empty} answers without any bot message)")
    ours, stock = figures["ours"], figures["stock"]
    ratios = {k: ours[k] / stock[k] if stock[k] else float("nan") for k in ("p50", "p95", "rps")}
    print(f"  ours/stock: p50 x{ratios['p50']:.2f}, p95 x{ratios['p95']:.2f}, "
          f"throughput x{ratios['rps']:.2f}")
    return ratios["p50"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per bot, level and round")
    parser.add_argument("--rounds", type=int, default=3,
                        help="A-B-B-A rounds per level (the machine's speed drifts between them)")
    parser.add_argument("--levels", default="1,10", help="concurrent users, comma-separated")
    parser.add_argument("--stock-dir", help="reuse a stock project made by `rasa init` here")
    parser.add_argument("--stock-tracker-store", choices=["sqlite", "memory"], default="sqlite")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]

    print(f"REST latency, ours vs stock `rasa init`: {args.requests} requests per bot and level, "
          f"levels {levels}, stock tracker store {args.stock_tracker_store}  ({load()})",
          flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="latency_"))
    bots: List[Bot] = []
    verdicts = []
    try:
        project = Path(args.stock_dir).resolve() if args.stock_dir else tmp / "stock"
        if not list((project / "models").glob("*.tar.gz")):
            make_stock_project(project, tmp)
        print(f"starting both stacks ... ({load()})", flush=True)
        ours = start_ours(tmp)
        bots.append(ours)
        stock = start_stock(project, tmp, args.stock_tracker_store)
        bots.append(stock)
        warm_up(ours)
        warm_up(stock)
        print(f"both up and warmed up ({load()})", flush=True)
        for level in levels:
            first = args.requests // 2
            halves = [first, args.requests - first]
            pooled = {"ours": Sample(), "stock": Sample()}
            ratios = []
            for round_number in range(1, args.rounds + 1):
                results = {"ours": Sample(), "stock": Sample()}
                # A-B-B-A: ours, stock, stock, ours
                results["ours"].add(drive(ours, halves[0], level, 0))
                results["stock"].add(drive(stock, halves[0], level, 0))
                results["stock"].add(drive(stock, halves[1], level, 1))
                results["ours"].add(drive(ours, halves[1], level, 1))
                title = f"round {round_number} of {args.rounds}" if args.rounds > 1 else ""
                ratios.append(report(level, results, load(), title))
                for name in pooled:
                    pooled[name].add(results[name])
                sys.stdout.flush()
            verdicts.append((level, {
                "p50_ours": 1000 * percentile(pooled["ours"].latencies, 50),
                "p50_stock": 1000 * percentile(pooled["stock"].latencies, 50),
                "ratios": ratios,
            }))
    finally:
        for bot in reversed(bots):
            bot.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print("\nTarget: our p50 no slower than the stock bot's (p50 over all rounds; the ratio is "
          "the median of the rounds' ratios, with their range)")
    for level, v in verdicts:
        ratio = statistics.median(v["ratios"])
        spread = f", rounds x{min(v['ratios']):.2f}-x{max(v['ratios']):.2f}" if len(v["ratios"]) > 1 else ""
        print(f"  {level:>2} user(s): ours {v['p50_ours']:.1f} ms vs stock {v['p50_stock']:.1f} ms "
              f"-> {'met' if ratio <= 1.0 else 'MISSED'} (x{ratio:.2f}{spread})")
    print(f"({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
