"""Start the real servers (action server + Rasa server with our channels) on free
loopback ports, for end-to-end tests. One stack per test session."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "karriereassistent.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout}s:\n{log.read_text()[-4000:]}")


@dataclass
class Stack:
    rasa_url: str
    actions_url: str
    token: str
    workdir: Path
    env: Dict[str, str]
    processes: List[subprocess.Popen]

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def start_stack(workdir: Path, extra_env: Optional[Dict[str, str]] = None,
                model: Optional[Path] = None) -> Stack:
    model = model or MODEL
    if not model.exists():
        raise FileNotFoundError(f"no trained model at {model}: run `make train` first")
    rasa_port, actions_port = free_port(), free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    # The project's endpoints.yml with this stack's action server; the tracker
    # database follows KA_VAR_DIR (workdir/trackers.db) unless extra_env names one.
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "KA_VAR_DIR": str(workdir),
            "KA_DATABASE_URL": f"sqlite:///{workdir / 'karriere.db'}",
            "KA_SECRET_KEY": "test-secret",
            "KA_PUBLIC_BASE_URL": f"http://127.0.0.1:{rasa_port}",
            "PATH": f"{BIN}:{env.get('PATH', '')}",
        }
    )
    env.update(extra_env or {})
    subprocess.run([str(BIN / "python"), "-m", "bot.cli", "migrate"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    token = "test-token"
    actions_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT, env=env, stdout=actions_log.open("w"), stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--enable-api", "--auth-token", token, "--port", str(rasa_port),
         "--credentials", str(ROOT / "credentials.yml"), "--endpoints", str(endpoints),
         "--model", str(model)],
        cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
    )
    stack = Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", token,
                  workdir, env, [rasa, actions])
    try:
        wait_for(f"{stack.actions_url}/health", 180, actions, actions_log)
        wait_for(f"{stack.rasa_url}/status?token={token}", 300, rasa, rasa_log)
    except Exception:
        stack.stop()
        raise
    return stack
