"""Database plumbing shared by all features: one declarative base, engine and
session factory built once by the composition root, and a transaction scope
around each use case (SQLAlchemy's session guidance).

Works on SQLite (embedded default) and PostgreSQL (production profile).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

Base = declarative_base()


class DatabaseUnavailable(Exception):
    """The database could not be reached or the transaction could not commit."""


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5) -> Engine:
    """Create an engine for `url`; SQLite gets WAL mode, a busy timeout and FKs."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(
        url, future=True, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True
    )


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def transaction(session_factory: sessionmaker) -> Iterator[Session]:
    """One use case = one short transaction: commit on success, roll back on error."""
    session: Session = session_factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def upgrade_schema(url: str) -> None:
    """Bring the database to the newest revision of every feature branch (run at start-up and in tests)."""
    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "heads")
