"""A real, throwaway Redis server for tests and benchmarks (like tests/postgres.py).

`redis_url` (session-scoped pytest fixture) starts Debian's `redis-server` on a
free loopback port with no persistence, in a temporary directory, and yields
its URL; afterwards the server is stopped and the directory removed.
`TemporaryRedis` can also be stopped and started again in a test (Redis down).

Without the binary the tests that need it are skipped with a clear message,
except on CI (CI=true), where that is a failure. Install with
`apt-get install -y redis-server`.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest

INSTALL_HINT = "apt-get install -y redis-server"


class RedisUnavailable(RuntimeError):
    """No redis-server binary, or the server would not start."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class TemporaryRedis:
    """`with TemporaryRedis() as server: server.url`; `server.stop()` / `server.start()` in between."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
        if self.binary is None:
            raise RedisUnavailable(f"redis-server not found; {INSTALL_HINT}")
        self.directory = Path(tempfile.mkdtemp(prefix="ka-redis-"))
        self.port: Optional[int] = None
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, port: Optional[int] = None) -> str:
        """Start (again, on the same port when restarting)."""
        for _ in range(3):  # the free port may be taken between probe and bind
            self.port = port or self.port or _free_port()
            log = (self.directory / "redis.log").open("a")
            self.process = subprocess.Popen(
                [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no", "--dir", str(self.directory), "--protected-mode", "yes",
                 "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.directory,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                if _ping(self.port):
                    return self.url
                time.sleep(0.05)
            self.stop()
            if port:
                break
            self.port = None
        raise RedisUnavailable(f"redis-server did not start: {(self.directory / 'redis.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "TemporaryRedis":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Redis is required on CI: {reason}", pytrace=False)
    pytest.skip(f"Redis tests skipped: {reason}")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a throwaway Redis server (skipped without one; fails on CI)."""
    try:
        server = TemporaryRedis().__enter__()
    except RedisUnavailable as error:
        _unavailable(str(error))
        return
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture
def redis_server() -> Iterator[TemporaryRedis]:
    """A Redis server of the test's own, which the test may stop and start."""
    try:
        server = TemporaryRedis().__enter__()
    except RedisUnavailable as error:
        _unavailable(str(error))
        return
    try:
        yield server
    finally:
        server.close()
