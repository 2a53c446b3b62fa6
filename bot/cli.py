"""Operational commands: `python -m bot.cli migrate` and friends."""
from __future__ import annotations

import argparse
import sys

from bot.db import upgrade_schema
from bot.settings import Settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade our database tables")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "migrate":
        upgrade_schema(settings.database_url)
        print("database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
