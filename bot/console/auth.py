"""Counsellor accounts and login sessions for the console.

- Passwords are hashed with argon2id (argon2-cffi); a login for an unknown
  user still runs one hash, so timing does not reveal which usernames exist.
- After MAX_FAILURES wrong passwords in a row an account is locked for
  LOCK_MINUTES; the login answer is the same as for a wrong password.
- A session is a random 256-bit value in a cookie; the database keeps only its
  SHA-256, the account, a CSRF token, and a sliding expiry.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.console.models import AccountRow, SessionRow
from bot.db import transaction

UTC = timezone.utc
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_TOUCH_EVERY = timedelta(minutes=1)


class AccountError(Exception):
    """Base of the account and login outcomes that are not a success."""


class InvalidUsername(AccountError):
    """2-40 characters: lower-case letters, digits, dot, dash, underscore."""


class WeakPassword(AccountError):
    def __init__(self, minimum: int = MIN_PASSWORD_LENGTH) -> None:
        super().__init__(f"the password must have at least {minimum} characters")
        self.minimum = minimum


class AccountExists(AccountError):
    """The username or the counsellor id already has an account."""


class AccountNotFound(AccountError):
    pass


class LoginRefused(AccountError):
    """Wrong username or password, a locked or a deactivated account (one answer for all)."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    name: str
    counsellor_id: str
    active: bool


@dataclass(frozen=True)
class ConsoleUser:
    """The logged-in counsellor of one request."""

    account_id: int
    username: str
    name: str
    counsellor_id: str
    csrf_token: str

    def csrf_ok(self, token: Optional[str]) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.csrf_token)


@dataclass(frozen=True)
class LoginResult:
    session_token: str  # goes into the cookie; never stored
    user: ConsoleUser


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _account(row: AccountRow) -> Account:
    return Account(row.id, row.username, row.name, row.counsellor_id, bool(row.active))


class AccountStore:
    def __init__(
        self,
        session_factory: sessionmaker,
        *,
        session_hours: int = 10,
        hasher: Optional[PasswordHasher] = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._session_length = timedelta(hours=session_hours)
        self._hasher = hasher or PasswordHasher()
        self._clock = clock
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    # ------------------------------------------------------------ accounts

    def create_account(self, username: str, name: str, counsellor_id: str, password: str) -> Account:
        username = (username or "").strip().lower()
        if not _USERNAME.match(username):
            raise InvalidUsername(username)
        name = " ".join((name or "").split())[:100] or username
        counsellor_id = (counsellor_id or "").strip()
        if not counsellor_id:
            raise ValueError("counsellor_id is required")
        _check_password(password)
        row = AccountRow(
            username=username, name=name, counsellor_id=counsellor_id,
            password_hash=self._hasher.hash(password), active=True, failed_logins=0,
            created_at=_naive(self._clock()),
        )
        try:
            with transaction(self._session_factory) as session:
                session.add(row)
                session.flush()
                return _account(row)
        except IntegrityError:
            raise AccountExists(username) from None

    def set_password(self, username: str, password: str) -> None:
        _check_password(password)
        with transaction(self._session_factory) as session:
            row = self._by_username(session, username)
            row.password_hash = self._hasher.hash(password)
            row.failed_logins, row.locked_until = 0, None
            session.execute(delete(SessionRow).where(SessionRow.account_id == row.id))

    def set_active(self, username: str, active: bool) -> None:
        with transaction(self._session_factory) as session:
            row = self._by_username(session, username)
            row.active = active
            if not active:
                session.execute(delete(SessionRow).where(SessionRow.account_id == row.id))

    def accounts(self) -> List[Account]:
        with transaction(self._session_factory) as session:
            rows = session.execute(select(AccountRow).order_by(AccountRow.username)).scalars()
            return [_account(row) for row in rows]

    @staticmethod
    def _by_username(session, username: str) -> AccountRow:
        row = session.execute(
            select(AccountRow).where(AccountRow.username == (username or "").strip().lower())
        ).scalar_one_or_none()
        if row is None:
            raise AccountNotFound(username)
        return row

    # ------------------------------------------------------------ login

    def login(self, username: str, password: str) -> LoginResult:
        """A new session for the right password; LoginRefused for anything else."""
        now = self._clock()
        username = (username or "").strip().lower()
        password = password if isinstance(password, str) else ""
        with transaction(self._session_factory) as session:
            row = session.execute(
                select(AccountRow).where(AccountRow.username == username)
            ).scalar_one_or_none()
            if row is None:
                self._verify(self._dummy_hash, password)
                raise LoginRefused()
            locked = row.locked_until is not None and row.locked_until > _naive(now)
            right = self._verify(row.password_hash, password)
            if locked or not row.active or not right:
                if not locked and not right:
                    row.failed_logins = (row.failed_logins or 0) + 1
                    if row.failed_logins >= MAX_FAILURES:
                        row.locked_until = _naive(now + timedelta(minutes=LOCK_MINUTES))
                        row.failed_logins = 0
                failed = True
            else:
                failed = False
                row.failed_logins, row.locked_until = 0, None
                row.last_login_at = _naive(now)
                if self._hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = self._hasher.hash(password)
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                session.add(SessionRow(
                    token_hash=_hash_token(token), account_id=row.id, csrf_token=csrf,
                    created_at=_naive(now), last_seen_at=_naive(now),
                    expires_at=_naive(now + self._session_length),
                ))
                user = ConsoleUser(row.id, row.username, row.name, row.counsellor_id, csrf)
        # Raised after the commit, so the failure count is kept.
        if failed:
            raise LoginRefused()
        return LoginResult(token, user)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def user_for(self, token: Optional[str]) -> Optional[ConsoleUser]:
        """The logged-in user of a session cookie value; None if unknown or expired."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        now = _naive(self._clock())
        with transaction(self._session_factory) as session:
            found = session.execute(
                select(SessionRow, AccountRow)
                .join(AccountRow, AccountRow.id == SessionRow.account_id)
                .where(SessionRow.token_hash == _hash_token(token))
            ).first()
            if found is None:
                return None
            row, account = found
            if row.expires_at <= now or not account.active:
                session.delete(row)
                return None
            if now - row.last_seen_at >= _TOUCH_EVERY:
                row.last_seen_at = now
                row.expires_at = now + self._session_length
            return ConsoleUser(account.id, account.username, account.name,
                               account.counsellor_id, row.csrf_token)

    def logout(self, token: Optional[str]) -> None:
        if not isinstance(token, str):
            return
        with transaction(self._session_factory) as session:
            session.execute(delete(SessionRow).where(SessionRow.token_hash == _hash_token(token)))

    def purge_expired_sessions(self) -> int:
        with transaction(self._session_factory) as session:
            return session.execute(
                delete(SessionRow).where(SessionRow.expires_at <= _naive(self._clock()))
            ).rowcount


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword()
