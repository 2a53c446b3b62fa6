"""Run every benchmark script in benchmarks/ with its default arguments.

    .venv/bin/python benchmarks/run_all.py [--only nlu_compare,latency] [--skip latency]

Every benchmarks/*.py except this file and helpers whose name starts with "_"
is run as its own subprocess, with no arguments, in alphabetical order (so
scripts added later are picked up without editing this file). Their output is
streamed as it comes; a failing script is reported and the others still run.
Exit status 1 if any script failed. `make benchmark` calls this.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PER_SCRIPT_TIMEOUT = 3 * 3600  # seconds; each script is bounded on its own, this is a backstop


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def scripts() -> List[Path]:
    me = Path(__file__).resolve()
    return sorted(p for p in HERE.glob("*.py") if p.resolve() != me and not p.name.startswith("_"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated script names (without .py)")
    parser.add_argument("--skip", default="", help="comma-separated script names (without .py)")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    selected = [p for p in scripts() if (not only or p.stem in only) and p.stem not in skip]

    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONUNBUFFERED"] = "1"
    outcomes = []
    print(f"Running {len(selected)} benchmark(s): {', '.join(p.stem for p in selected)}  "
          f"({load()})", flush=True)
    for path in selected:
        print(f"\n{'=' * 78}\n{path.name}  ({load()})\n{'=' * 78}", flush=True)
        start = time.perf_counter()
        try:
            code = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env,
                                  timeout=PER_SCRIPT_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        took = time.perf_counter() - start
        outcomes.append((path.name, code, took))
        print(f"--- {path.name}: exit {code} after {took:.0f} s  ({load()})", flush=True)

    print(f"\n{'=' * 78}\nSummary  ({load()})")
    for name, code, took in outcomes:
        print(f"  {name:<24} {'ok' if code == 0 else 'FAILED (' + str(code) + ')':<14} {took:7.0f} s")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
