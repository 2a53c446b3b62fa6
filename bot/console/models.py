"""Tables of the counsellors' console (Alembic branch "console").

console_accounts  one login per counsellor: argon2 password hash, the booking
                  config's counsellor id, and a lock after repeated wrong passwords.
console_sessions  server-side sessions: only a SHA-256 of the random cookie value
                  is stored, with the session's CSRF token and its expiry.

Datetimes are stored as naive UTC.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String

from bot.db import Base

USERNAME_MAX = 40
NAME_MAX = 100
COUNSELLOR_MAX = 40


class AccountRow(Base):
    __tablename__ = "console_accounts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(USERNAME_MAX), nullable=False, unique=True)
    name = Column(String(NAME_MAX), nullable=False)
    counsellor_id = Column(String(COUNSELLOR_MAX), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False)
    last_login_at = Column(DateTime, nullable=True)


class SessionRow(Base):
    __tablename__ = "console_sessions"

    token_hash = Column(String(64), primary_key=True)
    account_id = Column(Integer, ForeignKey("console_accounts.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
