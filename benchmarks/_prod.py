"""Helpers for the benchmarks of the production profile (not run by run_all.py).

`BenchProfile` runs scripts/prod/up.sh and down.sh with its own directory
(var/bench-prod) and its own loopback ports, so it never touches a profile a
developer started with `make prod-up`. `rest_turn` sends one REST message and
classifies the answer; `percentile` and `load` format figures.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Sequence

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
UNAVAILABLE = "Assistenten kan ikke svare lige nu. Prøv igen om lidt."
UP_TIMEOUT = 1500  # seconds for up.sh (package install, initdb, model loads)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


@dataclass
class BenchProfile:
    directory: Path = ROOT / "var" / "bench-prod"
    http_port: int = 18080
    actions_lb_port: int = 18055
    pg_port: int = 15433
    redis_port: int = 16380
    rasa_base_port: int = 15105
    actions_base_port: int = 15155
    started: bool = field(default=False, init=False)

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.http_port}"

    def env(self, rasa_replicas: int, action_replicas: int = 2) -> Dict[str, str]:
        env = dict(os.environ)
        env.update({
            "KA_PROD_DIR": str(self.directory),
            "KA_PROD_HTTP_PORT": str(self.http_port),
            "KA_PROD_ACTIONS_LB_PORT": str(self.actions_lb_port),
            "KA_PROD_PG_PORT": str(self.pg_port),
            "KA_PROD_REDIS_PORT": str(self.redis_port),
            "KA_PROD_RASA_BASE_PORT": str(self.rasa_base_port),
            "KA_PROD_ACTIONS_BASE_PORT": str(self.actions_base_port),
            "KA_PROD_RASA_REPLICAS": str(rasa_replicas),
            "KA_PROD_ACTION_REPLICAS": str(action_replicas),
            "PATH": f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}",
        })
        return env

    def up(self, rasa_replicas: int, action_replicas: int = 2) -> float:
        """Start (or grow to) `rasa_replicas` replicas; returns seconds taken."""
        started = time.monotonic()
        result = subprocess.run([str(ROOT / "scripts" / "prod" / "up.sh")], cwd=ROOT,
                                env=self.env(rasa_replicas, action_replicas),
                                capture_output=True, text=True, timeout=UP_TIMEOUT)
        self.started = True
        if result.returncode != 0:
            raise RuntimeError(f"up.sh failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return time.monotonic() - started

    def down(self) -> None:
        if self.started:
            subprocess.run([str(ROOT / "scripts" / "prod" / "down.sh")], cwd=ROOT,
                           env=self.env(1), capture_output=True, text=True, timeout=300)
            self.started = False

    def secrets(self) -> Dict[str, str]:
        values: Dict[str, str] = {}
        path = self.directory / "run" / "secrets.env"
        for line in path.read_text().splitlines() if path.exists() else []:
            if "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
        return values

    def pids(self) -> Dict[str, int]:
        found: Dict[str, int] = {}
        for path in (self.directory / "run").glob("*.pid"):
            try:
                found[path.stem] = int(path.read_text().strip())
            except ValueError:
                pass
        return found

    def postgres(self, action: str) -> None:
        """Stop PostgreSQL (`stop`) or start it again by running up.sh (`start`)."""
        if action == "start":
            subprocess.run([str(ROOT / "scripts" / "prod" / "up.sh")], cwd=ROOT,
                           env=self.env(self.rasa_replicas_running()), capture_output=True,
                           text=True, timeout=300, check=True)
            return
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        command = [str(bins[-1]), "-D", str(self.directory / "pgdata"), "-m", "fast", "-w", "-t", "60", "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--"] + command
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def rasa_replicas_running(self) -> int:
        return max(1, len([name for name in self.pids() if name.startswith("rasa-")]))


@dataclass
class Outcome:
    kind: str  # ok, refused, http_<code>, empty, error
    seconds: float


async def rest_turn(http: aiohttp.ClientSession, base_url: str, sender: str, text: str,
                    timeout: float = 60.0) -> Outcome:
    started = time.monotonic()
    try:
        async with http.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            body = await response.read()
            elapsed = time.monotonic() - started
            if response.status != 200:
                return Outcome(f"http_{response.status}", elapsed)
            import json

            messages = json.loads(body or b"[]")
            if not messages:
                return Outcome("empty", elapsed)
            if any(m.get("text") == UNAVAILABLE for m in messages):
                return Outcome("refused", elapsed)
            return Outcome("ok", elapsed)
    except Exception as error:  # timeouts and refused connections are results here
        return Outcome(f"error_{type(error).__name__}", time.monotonic() - started)


def summary(outcomes: Sequence[Outcome], wall: float) -> Dict[str, object]:
    ok = [o.seconds for o in outcomes if o.kind == "ok"]
    kinds: Dict[str, int] = {}
    for outcome in outcomes:
        kinds[outcome.kind] = kinds.get(outcome.kind, 0) + 1
    return {
        "turns": len(outcomes), "ok": len(ok),
        "p50_ms": percentile(ok, 50) * 1000, "p95_ms": percentile(ok, 95) * 1000,
        "p99_ms": percentile(ok, 99) * 1000,
        "throughput": len(outcomes) / wall if wall > 0 else float("nan"),
        "errors": {k: v for k, v in kinds.items() if k != "ok"},
    }


def start_embedded(workdir: Path):
    """The embedded default (tests/stack.py): SQLite, in-process lock, 1 Rasa + 1 action server."""
    import sys

    sys.path.insert(0, str(ROOT))
    from tests.stack import start_stack

    return start_stack(workdir)


def pick(options: Sequence[str], n: int) -> str:
    return options[n % len(options)]


def describe(name: str, figures: Dict[str, object], extra: Optional[str] = None) -> str:
    errors = figures["errors"] or {}
    error_text = ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"
    return (f"{name:<26} turns {figures['turns']:>5}  p50 {figures['p50_ms']:7.0f} ms  "
            f"p95 {figures['p95_ms']:7.0f} ms  p99 {figures['p99_ms']:7.0f} ms  "
            f"{figures['throughput']:6.1f} turns/s  errors: {error_text}"
            + (f"  ({extra})" if extra else ""))
