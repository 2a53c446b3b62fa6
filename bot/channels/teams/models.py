"""Tables of the Teams channel.

teams_conversation_references: where to deliver later messages for a
pseudonymous sender (personal chats only, so a counsellor's reply can never
land in a team channel). Holds Microsoft's routing ids, never a name or an
AAD object id.

teams_welcomes: keyed hashes of the conversations we already welcomed, so the
welcome is sent exactly once per install even when Teams repeats the event.
Times are naive UTC.
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String

from bot.db import Base

TEAMS_TABLES = ("teams_conversation_references", "teams_welcomes")
MAX_URL_CHARS = 500
MAX_ROUTING_ID_CHARS = 512


class ConversationReferenceRecord(Base):
    __tablename__ = "teams_conversation_references"

    # "teams-" + 32 hex characters of an HMAC of the user's AAD object id.
    sender_id = Column(String(64), primary_key=True)
    service_url = Column(String(MAX_URL_CHARS), nullable=False)
    conversation_id = Column(String(MAX_ROUTING_ID_CHARS), nullable=False)
    bot_id = Column(String(MAX_ROUTING_ID_CHARS), nullable=False)
    tenant_id = Column(String(64), nullable=True)
    channel_id = Column(String(32), nullable=False)
    updated_at = Column(DateTime, nullable=False)

    __table_args__ = (Index("ix_teams_conversation_references_updated_at", "updated_at"),)


class WelcomeRecord(Base):
    __tablename__ = "teams_welcomes"

    # HMAC-SHA256 (hex) of the conversation id.
    conversation_key = Column(String(64), primary_key=True)
    welcomed_at = Column(DateTime, nullable=False)
