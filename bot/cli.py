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
    sub.add_parser("reload-knowledge",
                   help="check the knowledge articles and make every running server reload them")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "migrate":
        upgrade_schema(settings.database_url)
        print("database is up to date")
    elif args.command == "reload-knowledge":
        return reload_knowledge(settings)
    return 0


def reload_knowledge(settings: Settings) -> int:
    from bot.knowledge import KnowledgeBase
    from bot.knowledge.refresh import request_reload

    knowledge = KnowledgeBase(settings.knowledge_dir, settings.public_base_url)
    report = knowledge.reload()
    print(f"{report.articles} articles in {len(report.areas)} areas "
          f"({report.seconds * 1000:.0f} ms)")
    for problem in report.skipped:
        print(f"SKIPPED  {problem}")
    for problem in report.warnings:
        print(f"WARNING  {problem}")
    request_reload(settings.knowledge_dir)
    print("running servers reload within a few seconds")
    return 0 if not report.skipped else 1


if __name__ == "__main__":
    sys.exit(main())
