"""The outbox table: notices written in the same transaction as the business
change, delivered afterwards by OutboxDispatcher."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String

from bot.db import Base

MAX_KIND_LENGTH = 64
MAX_ERROR_LENGTH = 500


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    # What the notice is about, e.g. "application.submitted", "handoff.requested".
    kind = Column(String(MAX_KIND_LENGTH), nullable=False)
    payload = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False)
    # Finished send attempts (successful or not).
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    # A dispatcher holds the message until this time; after it, another may take it.
    claimed_until = Column(DateTime, nullable=True)
    claim_token = Column(String(32), nullable=True)
    delivered_at = Column(DateTime, nullable=True)
    # Set when the dispatcher gave up after max_attempts; the message stays for inspection.
    failed_at = Column(DateTime, nullable=True)
    last_error = Column(String(MAX_ERROR_LENGTH), nullable=True)

    __table_args__ = (
        Index("ix_outbox_messages_due", "delivered_at", "failed_at", "next_attempt_at"),
    )

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<OutboxMessage {self.id} {self.kind} attempts={self.attempts}>"
