"""Command line of the privacy tooling (for cron and for the DPO's requests).

    python -m bot.privacy retention [--days N] [--dry-run]
    python -m bot.privacy erase <conversation id>
    python -m bot.privacy erase --teams-user <Entra ID (AAD) object id>
    python -m bot.privacy erase --case-code <handoff case code, e.g. K7MQ-4XTR>

Exit codes: 0 done, 2 bad arguments, 3 a database could not be reached.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
from typing import List, Optional

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy",
                                     description="Retention and erasure of conversations.")
    commands = parser.add_subparsers(dest="command", required=True)
    retention = commands.add_parser("retention", help="delete conversation data older than the window")
    retention.add_argument("--days", type=int, default=None,
                           help="window in days (default: KA_CONVERSATION_RETENTION_DAYS, 30)")
    retention.add_argument("--dry-run", action="store_true",
                           help="only count the conversation events that would be deleted")
    erase = commands.add_parser("erase", help="erase one conversation on request")
    erase.add_argument("conversation_id", nargs="?", help="the channel's conversation (sender) id")
    erase.add_argument("--teams-user", metavar="AAD_OBJECT_ID",
                       help="erase the Teams conversation of this Entra ID (AAD) user instead")
    erase.add_argument("--case-code", metavar="CODE",
                       help="erase the conversation behind this handoff case code (sagskode) instead")
    return parser


def teams_sender_id(aad_object_id: str, pseudonym_secret: str) -> str:
    """The pseudonymous sender id the Teams channel gives this user (see bot.channels.teams)."""
    from bot.channels.teams.activities import PSEUDONYM_HEX_CHARS, PSEUDONYM_PREFIX

    digest = hmac.new(pseudonym_secret.encode(), aad_object_id.strip().encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_CHARS]


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: Optional[List[str]] = None, settings: Optional[Settings] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = settings or Settings.from_env()
    from bot.privacy.service import InvalidConversationId, from_settings

    try:
        service = from_settings(settings)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"tracker store: {_safe(settings.tracker_store_url)}")
    print(f"our database:  {_safe(settings.database_url)}")
    try:
        if args.command == "retention":
            try:
                report = service.retention(args.days, dry_run=args.dry_run)
            except ValueError as error:
                parser.error(str(error))
            verb = "would delete" if report.dry_run else "deleted"
            print(f"window: {report.days} days (everything before {report.cutoff:%Y-%m-%d %H:%M} UTC)")
            print(f"conversation events {verb}: {report.events_deleted}")
            if not report.dry_run:
                handoffs = ("handoff tables not found" if report.handoff_cases_deleted is None
                            else report.handoff_cases_deleted)
                print(f"closed handoff cases deleted: {handoffs}")
            return 0
        if sum(bool(v) for v in (args.conversation_id, args.teams_user, args.case_code)) != 1:
            parser.error("give one of: a conversation id, --teams-user, --case-code")
        conversation_id = args.conversation_id
        if args.teams_user:
            if not settings.teams_pseudonym_secret:
                parser.error("--teams-user needs KA_TEAMS_PSEUDONYM_SECRET")
            conversation_id = teams_sender_id(args.teams_user, settings.teams_pseudonym_secret)
        if args.case_code:
            from bot.handoff.domain import InvalidCaseCode

            try:
                conversation_id = service.conversation_of_case(args.case_code)
            except InvalidCaseCode:
                parser.error("that is not a case code")
            if not conversation_id:
                print("no case with that code (or its conversation was already deleted)")
                return 0
        try:
            report = service.erase(conversation_id)
        except InvalidConversationId:
            parser.error("that is not a conversation id")
        print(f"conversation {report.conversation_id}:")
        print(f"  conversation events deleted: {report.events_deleted}")
        if report.handoff_cases_deleted is None:
            print("  handoff cases: tables not found")
        else:
            print(f"  handoff cases deleted: {report.handoff_cases_deleted} "
                  f"({report.handoff_lines_deleted} lines)")
        if report.teams_reference_deleted is not None:
            print(f"  Teams reference deleted: {'yes' if report.teams_reference_deleted else 'none stored'}")
        return 0
    except SQLAlchemyError as error:
        print(f"error: a database could not be reached: {type(error).__name__}: "
              f"{str(getattr(error, 'orig', error)).strip().splitlines()[0] if str(error) else ''}",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
