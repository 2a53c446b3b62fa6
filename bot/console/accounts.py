"""The account command for the console.

    python -m bot.console.accounts create USERNAME --name "Navn" --counsellor-id raadgiver-1
    python -m bot.console.accounts password USERNAME
    python -m bot.console.accounts deactivate USERNAME
    python -m bot.console.accounts activate USERNAME
    python -m bot.console.accounts list

The password is read from a hidden prompt (asked twice) or, when stdin is not a
terminal, from the first line of stdin; never from the command line, where it
would end up in the shell history and the process list.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional, TextIO

from sqlalchemy.exc import OperationalError

from bot.console.auth import AccountError, AccountExists, AccountNotFound, AccountStore, InvalidUsername, WeakPassword
from bot.db import make_engine, make_session_factory
from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.console.accounts",
                                     description="Counsellor accounts for the console (/konsol).")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create an account (password from prompt or stdin)")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="the name colleagues see")
    create.add_argument("--counsellor-id", required=True,
                        help="the counsellor's id in the booking config (config/counsellors.yml)")
    for name, text in (("password", "set a new password (ends the user's sessions)"),
                       ("deactivate", "block the account and end its sessions"),
                       ("activate", "allow the account again")):
        sub.add_parser(name, help=text).add_argument("username")
    sub.add_parser("list", help="list the accounts")
    return parser


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Repeat password: ")
        if first != second:
            raise SystemExit("The two passwords differ.")
        return first
    return stdin.readline().rstrip("\r\n")


def known_counsellors(settings: Settings) -> Optional[List[str]]:
    try:
        from bot.booking.config import load_booking_config

        return [c.id for c in load_booking_config(settings.booking_config).counsellors]
    except Exception:  # noqa: BLE001 - no booking config: nothing to check against
        return None


def main(argv: Optional[List[str]] = None, *, settings: Optional[Settings] = None,
         stdin: TextIO = sys.stdin, store: Optional[AccountStore] = None) -> int:
    args = _parser().parse_args(argv)
    settings = settings or Settings.from_env()
    engine = None
    if store is None:
        engine = make_engine(settings.database_url)
        store = AccountStore(make_session_factory(engine))
    try:
        return _run(args, settings, stdin, store)
    except OperationalError as error:
        print(f"The database is not ready ({error.orig}); run `python -m bot.cli migrate` first.",
              file=sys.stderr)
        return 2
    finally:
        if engine is not None:
            engine.dispose()


def _run(args: argparse.Namespace, settings: Settings, stdin: TextIO, store: AccountStore) -> int:
    try:
        if args.command == "create":
            known = known_counsellors(settings)
            if known is not None and args.counsellor_id not in known:
                print(f"Unknown counsellor id {args.counsellor_id!r}; the booking config has: "
                      f"{', '.join(known)}", file=sys.stderr)
                return 1
            account = store.create_account(args.username, args.name, args.counsellor_id,
                                           read_password(stdin))
            print(f"Created {account.username} ({account.name}, {account.counsellor_id}).")
        elif args.command == "password":
            store.set_password(args.username, read_password(stdin))
            print(f"New password set for {args.username}; their sessions are ended.")
        elif args.command in ("deactivate", "activate"):
            store.set_active(args.username, args.command == "activate")
            print(f"{args.username} is now {'active' if args.command == 'activate' else 'deactivated'}.")
        else:
            for account in store.accounts():
                state = "active" if account.active else "deactivated"
                print(f"{account.username}\t{account.counsellor_id}\t{state}\t{account.name}")
        return 0
    except WeakPassword as error:
        print(f"Password refused: {error}.", file=sys.stderr)
    except InvalidUsername:
        print("Usernames are 2-40 lower-case letters, digits, '.', '-' or '_'.", file=sys.stderr)
    except AccountExists:
        print("That username or counsellor id already has an account.", file=sys.stderr)
    except AccountNotFound:
        print(f"No account named {args.username!r}.", file=sys.stderr)
    except AccountError as error:
        print(f"Refused: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
