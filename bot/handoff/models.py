"""Tables of the handoff feature (Alembic branch "handoff").

handoff_cases     one row per case; `sender_id` is the channel's conversation id
                  (a random web chat session id or a keyed Teams pseudonym),
                  used only to route replies and never shown to counsellors.
handoff_messages  the lines of a case: employee and counsellor text, the
                  conversation shared with consent, and the audit trail.
handoff_presence  which counsellor has the console open and is ready for chat.

Datetimes are stored as naive UTC (SQLite keeps no time zone).
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, text

from bot.db import Base

SENDER_MAX = 128
CHANNEL_MAX = 32
COUNSELLOR_MAX = 40
CODE_LENGTH = 8
# One waiting or active live case per conversation, enforced by the database.
_LIVE_CASE = text("state IN ('waiting', 'active')")


class CaseRow(Base):
    __tablename__ = "handoff_cases"

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(16), nullable=False)
    state = Column(String(16), nullable=False)
    code = Column(String(CODE_LENGTH), nullable=False, unique=True)
    sender_id = Column(String(SENDER_MAX), nullable=True)  # cleared when purged
    channel = Column(String(CHANNEL_MAX), nullable=False)
    consent = Column(Boolean, nullable=False, default=False)
    counsellor_id = Column(String(COUNSELLOR_MAX), nullable=True)
    seen_up_to = Column(Integer, nullable=False, default=0)  # last line id the holder saw
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime, nullable=True)

    __table_args__ = (
        Index("ix_handoff_cases_state", "state", "created_at"),
        Index("ix_handoff_cases_sender", "sender_id", "state"),
        Index(
            "uq_handoff_cases_live_sender",
            "sender_id",
            unique=True,
            sqlite_where=_LIVE_CASE,
            postgresql_where=_LIVE_CASE,
        ),
    )


class MessageRow(Base):
    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False)
    author = Column(String(16), nullable=False)
    event = Column(String(24), nullable=False)
    text = Column(Text, nullable=True)
    counsellor_id = Column(String(COUNSELLOR_MAX), nullable=True)
    before_handoff = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime, nullable=True)  # counsellor lines: received by the employee

    __table_args__ = (Index("ix_handoff_messages_case", "case_id", "id"),)


class PresenceRow(Base):
    __tablename__ = "handoff_presence"

    counsellor_id = Column(String(COUNSELLOR_MAX), primary_key=True)
    available = Column(Boolean, nullable=False, default=False)
    heartbeat_at = Column(DateTime, nullable=False)
