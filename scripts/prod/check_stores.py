"""Pre-flight check of the production profile's stores, before a Rasa replica starts.

    python scripts/prod/check_stores.py [--timeout 60]

Waits (bounded) until the tracker store (KA_TRACKER_STORE_URL), our database
(KA_DATABASE_URL) and Redis (KA_REDIS_URL) answer; otherwise exits 1 naming the
one that does not. Rasa itself would retry an unreachable tracker store forever
or fall back to keeping conversations in memory.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.settings import Settings  # noqa: E402


def _sql(url: str) -> None:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    engine = sa.create_engine(url, poolclass=NullPool, connect_args=args)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()


def _redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3).ping()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    settings = Settings.from_env()
    checks = [("tracker store", settings.tracker_store_url, _sql),
              ("our database", settings.database_url, _sql)]
    if not settings.redis_url:
        print("KA_REDIS_URL is not set: the profile needs Redis for locks and web chat", file=sys.stderr)
        return 1
    checks.append(("Redis", settings.redis_url, _redis))
    deadline = time.monotonic() + args.timeout
    for name, url, check in checks:
        while True:
            try:
                check(url)
                print(f"{name}: ok ({_safe(url)})")
                break
            except Exception as error:  # report any failure by name
                if time.monotonic() >= deadline:
                    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
                    print(f"{name} at {_safe(url)} is not reachable: "
                          f"{reason[0] if reason else type(error).__name__}", file=sys.stderr)
                    return 1
                time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
