"""A real, throwaway PostgreSQL server for tests and benchmarks.

`postgres_url` (session-scoped pytest fixture) starts a private cluster from
Debian's server binaries (/usr/lib/postgresql/<version>/bin/initdb and pg_ctl,
package `postgresql`) in a temporary directory, listening only on 127.0.0.1 at
a free port, creates one database and yields its SQLAlchemy URL; afterwards the
server is stopped and the directory removed.

The server refuses to run as root, so as root it runs as the `postgres` system
user (runuser, or setpriv), which owns the temporary directory.

Without the binaries the tests that need it are skipped with a clear message,
except on CI (CI=true), where that is a failure: CI must prove the PostgreSQL
path. Install with `apt-get install -y postgresql`.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

INSTALL_HINT = "apt-get install -y postgresql"
_SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c shared_buffers=32MB"
)


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL server binaries, or the server would not start."""


def find_server_binaries() -> Optional[Path]:
    """The bin/ folder of the newest installed PostgreSQL server, or None."""
    candidates = [
        Path(p).parent
        for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if Path(p).with_name("pg_ctl").exists()
    ]
    if not candidates:
        return None

    def version(path: Path) -> tuple:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    return max(candidates, key=version)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryPostgres:
    """Context manager: `with TemporaryPostgres() as server: server.url`."""

    def __init__(self, database: str = "karriere_test") -> None:
        self.database = database
        self.bin_dir = find_server_binaries()
        if self.bin_dir is None:
            raise PostgresUnavailable(
                f"PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; {INSTALL_HINT}"
            )
        self.directory: Optional[Path] = None
        self.port: Optional[int] = None
        self._prefix: List[str] = []

    # -- running commands as a user the server accepts
    def _as_server_user(self) -> None:
        if os.geteuid() != 0:
            return  # any user but root may run the server
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' system user") from None
        assert self.directory is not None
        os.chown(self.directory, user.pw_uid, user.pw_gid)
        if shutil.which("runuser"):
            self._prefix = ["runuser", "-u", "postgres", "--"]
        elif shutil.which("setpriv"):
            self._prefix = [
                "setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
            ]
        else:
            raise PostgresUnavailable("running as root and neither runuser nor setpriv is available")

    def _run(self, *args: str) -> None:
        assert self.bin_dir is not None and self.directory is not None
        command = self._prefix + [str(self.bin_dir / args[0]), *args[1:]]
        result = subprocess.run(
            command, cwd=self.directory, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.directory / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}\n{tail}"
            )

    @property
    def url(self) -> str:
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> str:
        self.directory = Path(tempfile.mkdtemp(prefix="ka-postgres-"))
        os.chmod(self.directory, 0o700)
        self._as_server_user()
        data = self.directory / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        last_error: Optional[Exception] = None
        for _ in range(3):  # the free port may be taken between probe and bind
            self.port = _free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} {_SERVER_OPTIONS}"
            try:
                self._run("pg_ctl", "-D", str(data), "-l", str(self.directory / "server.log"),
                          "-w", "-t", "60", "-o", options, "start")
                break
            except PostgresUnavailable as error:
                last_error = error
        else:
            raise last_error  # type: ignore[misc]
        self.create_database(self.database)
        return self.url

    def create_database(self, name: str) -> str:
        """Create another database on the same server; returns its URL."""
        import psycopg2

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"unsafe database name {name!r}")
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url_for(name)

    def stop(self) -> None:
        if self.directory is None:
            return
        data = self.directory / "data"
        if (data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
            except PostgresUnavailable:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None

    def __enter__(self) -> "TemporaryPostgres":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def create_database(postgres_url: str, prefix: str = "t") -> str:
    """A fresh, empty database on the server behind `postgres_url` (for test isolation)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    connection = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return str(url.set(database=name))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required on CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a database on a throwaway PostgreSQL server (skipped without one; fails on CI)."""
    try:
        server = TemporaryPostgres()
        server.__enter__()
    except PostgresUnavailable as error:
        _unavailable(str(error))
        return
    try:
        yield server.url
    finally:
        server.stop()
