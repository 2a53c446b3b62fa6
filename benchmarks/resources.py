"""Training time and memory of our full assistant.

    .venv/bin/python benchmarks/resources.py [--skip-train]

1. Training time from scratch: `rasa train --force --augmentation 0` (as `make train`; config.yml, domain.yml,
   data/) into a temporary directory with an empty, private training cache, so
   nothing is reused from .rasa/cache or an earlier model. Also the peak RSS of
   the training process. Target: under 3 minutes on 2 cores.
2. Resident memory: the action server and the Rasa server are started the way
   tests/stack.py does (with the model just trained; with --skip-train with
   models/karriereassistent.tar.gz), and VmRSS from /proc/<pid>/status, summed
   over each process and its children, is read after start-up and again after
   a few conversations over the REST channel (the first predictions make
   TensorFlow build its graphs). VmHWM (peak) is shown too.
   Target: Rasa server under 1.2 GB after start-up.
The load average is printed next to every figure (the machine is shared).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _prod import load  # noqa: E402  (shared benchmark helpers, benchmarks/_prod.py)

import tests.stack as stack_module  # noqa: E402

TRAIN_TARGET_S = 180.0
RASA_RSS_TARGET_MB = 1200.0
TRAIN_TIMEOUT = 3600
MESSAGES = ["hej", "hvad er en snusepraktik?", "hvad kan du hjælpe med", "mit password virker ikke",
            "jeg vil gerne booke en samtale", "stop", "er du en bot?", "tak for hjælpen"]



def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def descendants(pid: int) -> List[int]:
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory(pid: int) -> Dict[str, float]:
    """VmRSS and VmHWM in MB of pid plus its children."""
    pids = [pid] + descendants(pid)
    return {
        "rss": sum(status_kb(p, "VmRSS") for p in pids) / 1024,
        "hwm": sum(status_kb(p, "VmHWM") for p in pids) / 1024,
        "processes": len(pids),
    }


def train(out: Path) -> Path:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
                "RASA_CACHE_DIRECTORY": str(out / "cache")})
    log = out / "train.log"
    cmd = [str(stack_module.BIN / "rasa"), "train", "--force", "--augmentation", "0",  # as `make train`
           "--out", str(out / "models"),
           "--fixed-model-name", "karriereassistent"]
    print(f"training from scratch: {' '.join(cmd[1:])} ... ({load()})", flush=True)
    start = time.perf_counter()
    with log.open("w") as handle:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                              timeout=TRAIN_TIMEOUT)
    took = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    model = out / "models" / "karriereassistent.tar.gz"
    if proc.returncode != 0 or not model.exists():
        raise RuntimeError(f"training failed:\n{log.read_text(errors='replace')[-4000:]}")
    verdict = "met" if took < TRAIN_TARGET_S else f"MISSED by {took - TRAIN_TARGET_S:.0f} s"
    print(f"  training time        {took:.1f} s = {took / 60:.2f} min  "
          f"(target < {TRAIN_TARGET_S / 60:.0f} min: {verdict})  ({load()})")
    print(f"  training peak RSS    {peak_mb:.0f} MB  ({load()})")
    print(f"  model size           {model.stat().st_size / 1e6:.1f} MB")
    return model


def converse(url: str, messages: List[str], rounds: int = 3) -> int:
    sent = 0
    for _ in range(rounds):
        sender = f"res-{uuid.uuid4().hex[:12]}"
        for text in messages:
            body = json.dumps({"sender": sender, "message": text}).encode()
            request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            sent += 1
    return sent


def print_memory(label: str, rasa_pid: int, actions_pid: int) -> float:
    rasa, actions = memory(rasa_pid), memory(actions_pid)
    print(f"  {label}  ({load()})")
    print(f"    Rasa server     RSS {rasa['rss']:7.0f} MB   peak {rasa['hwm']:7.0f} MB   "
          f"({rasa['processes']} process{'es' if rasa['processes'] > 1 else ''})")
    print(f"    action server   RSS {actions['rss']:7.0f} MB   peak {actions['hwm']:7.0f} MB   "
          f"({actions['processes']} process{'es' if actions['processes'] > 1 else ''})")
    return rasa["rss"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-train", action="store_true",
                        help="measure memory with models/karriereassistent.tar.gz, no training")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds to wait after start-up before reading memory")
    args = parser.parse_args(argv)

    print(f"Resources of our assistant ({os.cpu_count()} CPUs, {load()})", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="resources_"))
    try:
        if args.skip_train:
            model = stack_module.MODEL
            if not model.exists():
                print(f"{model} is missing: run `make train` or drop --skip-train")
                return 2
        else:
            model = train(tmp)
        stack_module.MODEL = model  # start_stack serves this model
        print(f"\nstarting action server and Rasa server with {model.name} ... ({load()})",
              flush=True)
        start = time.perf_counter()
        stack = stack_module.start_stack(tmp / "stack")
        print(f"  up in {time.perf_counter() - start:.1f} s  ({load()})")
        try:
            rasa, actions = stack.processes
            time.sleep(args.settle)
            rss = print_memory(f"after start-up (+{args.settle:.0f} s)", rasa.pid, actions.pid)
            sent = converse(stack.rasa_url, MESSAGES)
            print_memory(f"after {sent} REST messages", rasa.pid, actions.pid)
        finally:
            stack.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    verdict = "met" if rss < RASA_RSS_TARGET_MB else f"MISSED by {rss - RASA_RSS_TARGET_MB:.0f} MB"
    print(f"\nTarget Rasa server RSS after start-up < {RASA_RSS_TARGET_MB:.0f} MB: {verdict} "
          f"({rss:.0f} MB)  ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
