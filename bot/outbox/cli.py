"""Outbox operations for cron and staff.

    python -m bot.outbox.cli deliver [--limit N]   deliver everything due now
    python -m bot.outbox.cli status                pending / delivered / failed counts
    python -m bot.outbox.cli purge [--days N]      delete messages delivered N+ days ago

Configuration comes from the environment (KA_DATABASE_URL, KA_TEAMS_WEBHOOK_URL).
The schema must exist (the servers run the migrations at start-up).
"""
from __future__ import annotations

import argparse
import logging
import sys
from datetime import timedelta
from typing import List, Optional

from bot.db import make_engine, make_session_factory, transaction
from bot.outbox import store
from bot.outbox.clock import system_clock
from bot.outbox.dispatcher import OutboxDispatcher
from bot.outbox.teams import make_sender
from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.outbox.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    deliver = commands.add_parser("deliver", help="deliver every message that is due")
    deliver.add_argument("--limit", type=int, default=50, help="messages per batch")
    deliver.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout in seconds")
    commands.add_parser("status", help="print message counts")
    purge = commands.add_parser("purge", help="delete delivered messages")
    purge.add_argument("--days", type=int, default=30, help="keep messages delivered within N days")
    return parser


def main(argv: Optional[List[str]] = None, settings: Optional[Settings] = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    try:
        if args.command == "deliver":
            sender = make_sender(settings.teams_webhook_url, timeout=args.timeout)
            dispatcher = OutboxDispatcher(session_factory, sender)
            total = delivered = retrying = 0
            while True:
                report = dispatcher.deliver_due(args.limit)
                total += report.claimed
                delivered += report.delivered
                retrying += report.retrying + report.gave_up
                if report.claimed < args.limit or report.released:
                    break
            print(f"claimed {total}, delivered {delivered}, not delivered {retrying}")
        elif args.command == "status":
            with transaction(session_factory) as session:
                for name, count in store.counts(session).items():
                    print(f"{name}: {count}")
        elif args.command == "purge":
            with transaction(session_factory) as session:
                removed = store.purge_delivered(session, system_clock() - timedelta(days=args.days))
            print(f"deleted {removed} delivered message(s)")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
