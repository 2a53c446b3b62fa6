"""Conversation references: where a pseudonymous sender's personal Teams chat
is, so later messages (a counsellor's reply, trigger_intent) can be delivered.

Synchronous SQLAlchemy, one short transaction per call; the async callers run
these in a worker thread (asyncio.to_thread) so the event loop never waits on
the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.channels.teams.models import ConversationReferenceRecord, WelcomeRecord
from bot.db import transaction


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class ConversationReference:
    """What the Bot Connector needs to post into a conversation; nothing about the person."""

    service_url: str
    conversation_id: str
    bot_id: str
    tenant_id: str = ""
    channel_id: str = "msteams"


class ReferenceStore:
    def __init__(self, session_factory: sessionmaker,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def save(self, sender_id: str, reference: ConversationReference) -> None:
        """Remember (or update) where `sender_id`'s personal chat is."""
        for _ in range(2):  # a concurrent first insert makes the second one an update
            try:
                with transaction(self._session_factory) as session:
                    record = session.get(ConversationReferenceRecord, sender_id)
                    if record is None:
                        record = ConversationReferenceRecord(sender_id=sender_id)
                        session.add(record)
                    record.service_url = reference.service_url
                    record.conversation_id = reference.conversation_id
                    record.bot_id = reference.bot_id
                    record.tenant_id = reference.tenant_id or None
                    record.channel_id = reference.channel_id
                    record.updated_at = self._clock()
                return
            except IntegrityError:
                continue
        raise RuntimeError("conversation reference could not be saved")  # pragma: no cover

    def find(self, sender_id: str) -> Optional[ConversationReference]:
        with transaction(self._session_factory) as session:
            record = session.get(ConversationReferenceRecord, sender_id)
            if record is None:
                return None
            return ConversationReference(record.service_url, record.conversation_id,
                                         record.bot_id, record.tenant_id or "", record.channel_id)

    def forget(self, sender_id: str) -> bool:
        with transaction(self._session_factory) as session:
            result = session.execute(delete(ConversationReferenceRecord)
                                     .where(ConversationReferenceRecord.sender_id == sender_id))
            return bool(result.rowcount)

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete references unused since `cutoff` (naive UTC); returns how many."""
        with transaction(self._session_factory) as session:
            result = session.execute(delete(ConversationReferenceRecord)
                                     .where(ConversationReferenceRecord.updated_at < cutoff))
            return int(result.rowcount or 0)

    # --- welcomes -----------------------------------------------------------
    def claim_welcome(self, conversation_key: str) -> bool:
        """True the first time for a conversation (then the caller welcomes), else False."""
        try:
            with transaction(self._session_factory) as session:
                if session.get(WelcomeRecord, conversation_key) is not None:
                    return False
                session.add(WelcomeRecord(conversation_key=conversation_key,
                                          welcomed_at=self._clock()))
            return True
        except IntegrityError:  # the same event delivered twice at the same moment
            return False

    def release_welcome(self, conversation_key: str) -> None:
        """Forget the welcome (the bot was removed; a new install is welcomed again)."""
        with transaction(self._session_factory) as session:
            session.execute(delete(WelcomeRecord)
                            .where(WelcomeRecord.conversation_key == conversation_key))

    def welcomed(self, conversation_key: str) -> bool:
        with transaction(self._session_factory) as session:
            return session.execute(
                select(WelcomeRecord.conversation_key)
                .where(WelcomeRecord.conversation_key == conversation_key)
            ).first() is not None
