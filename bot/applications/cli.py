"""Coordinators' command line until the console exists.

    python -m bot.applications.cli list [--state STATE]
    python -m bot.applications.cli show REF
    python -m bot.applications.cli move REF STATE --by NAME [--reason TEXT]
    python -m bot.applications.cli anonymise          (daily, from cron)

Reads KA_DATABASE_URL and the other settings from the environment. The schema
must exist (the servers run the migrations at start-up).
"""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional, TextIO

from bot.applications.errors import ApplicationError
from bot.applications.service import ApplicationService
from bot.applications.states import TRANSITIONS, ApplicationState
from bot.db import DatabaseUnavailable, make_engine, make_session_factory
from bot.settings import Settings

STATES = [state.value for state in ApplicationState]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.applications.cli",
                                     description="Snusepraktik and exchange applications")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list applications, newest first")
    listing.add_argument("--state", choices=STATES)
    show = commands.add_parser("show", help="show one application and its history")
    show.add_argument("reference")
    move = commands.add_parser("move", help="move an application to another state")
    move.add_argument("reference")
    move.add_argument("state", choices=STATES)
    move.add_argument("--by", required=True, help="your username (recorded in the audit trail)")
    move.add_argument("--reason", help="required for afvist; the employee sees it")
    commands.add_parser("anonymise", help="anonymise closed applications past retention")
    return parser


def _list(service: ApplicationService, state: Optional[str], out: TextIO) -> None:
    rows = service.list_applications(state)
    if not rows:
        print("no applications", file=out)
        return
    print(f"{'reference':<14} {'state':<17} {'kind':<13} {'period':<23} {'specialty':<24} note",
          file=out)
    for row in rows:
        period = f"{row.period_start.isoformat()}..{row.period_end.isoformat()}"
        note = "below guideline" if row.below_guideline else ""
        print(f"{row.reference:<14} {row.state:<17} {row.kind:<13} {period:<23} "
              f"{row.desired_specialty[:24]:<24} {note}".rstrip(), file=out)


def _show(service: ApplicationService, reference: str, out: TextIO) -> None:
    details = service.get(reference)
    s = details.summary
    lines = [
        ("reference", s.reference), ("state", s.state), ("kind", s.kind),
        ("name", details.name), ("email", details.email),
        ("profession", s.profession), ("workplace", s.current_workplace),
        ("department", details.current_department),
        ("years in specialty", f"{details.years_in_specialty:g}"),
        ("desired specialty", s.desired_specialty),
        ("desired department", details.desired_department),
        ("desired workplace", s.desired_workplace),
        ("period", f"{s.period_start.isoformat()}..{s.period_end.isoformat()}"
                   + (" (approximate)" if details.period_approximate else "")),
        ("period as written", details.period_text),
        ("guideline notes", ", ".join(details.guideline_notes) or "none"),
        ("motivation", details.motivation),
        ("latest reason", details.state_reason),
        ("anonymised", details.anonymised_at.isoformat() if details.anonymised_at else None),
        ("next states", ", ".join(sorted(t.value for t in TRANSITIONS[ApplicationState(s.state)]))
         or "none (closed)"),
    ]
    for label, value in lines:
        print(f"{label + ':':<20} {value if value is not None else '-'}", file=out)
    print("history:", file=out)
    for entry in service.history(reference):
        reason = f"  ({entry.reason})" if entry.reason else ""
        print(f"  {entry.at:%Y-%m-%d %H:%M} UTC  {entry.from_state or '-':>16} -> "
              f"{entry.to_state:<16} by {entry.actor}{reason}", file=out)


def main(argv: Optional[List[str]] = None, *, service: Optional[ApplicationService] = None,
         out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = _parser().parse_args(argv)
    engine = None
    if service is None:
        settings = Settings.from_env()
        engine = make_engine(settings.database_url)
        service = ApplicationService(make_session_factory(engine), settings)
    try:
        if args.command == "list":
            _list(service, args.state, out)
        elif args.command == "show":
            _show(service, args.reference, out)
        elif args.command == "move":
            status = service.transition(args.reference, args.state, args.by, args.reason)
            print(f"{status.reference} is now {status.state}", file=out)
        elif args.command == "anonymise":
            print(f"anonymised {service.anonymise_expired()} application(s)", file=out)
        return 0
    except ApplicationError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=err)
        return 2
    except DatabaseUnavailable as exc:
        print(f"error: database unavailable: {exc}", file=err)
        return 3
    finally:
        if engine is not None:
            engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
