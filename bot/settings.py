"""Settings built from environment variables, read when called (never at import).

Every setting has an embedded default, so `make run` works on a laptop with no
configuration. `.env.example` documents each variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _csv(value: str) -> Tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    # Where our own data lives (bookings, applications, handoffs, feedback).
    database_url: str
    # Folder with runtime files (SQLite database, trained spaCy pipeline, ...).
    var_dir: Path
    knowledge_dir: Path
    booking_config: Path
    # Base URL employees reach the Rasa server on; used in links in answers.
    public_base_url: str
    # Incoming-webhook URL of the counsellors' Teams channel; empty = no notices.
    teams_webhook_url: str = ""
    # Work e-mail domains accepted in applications.
    allowed_email_domains: Tuple[str, ...] = ("regionh.dk",)
    # Closed applications are anonymised after this many days.
    application_retention_days: int = 365
    # Conversation events are deleted after this many days.
    conversation_retention_days: int = 30
    # Secret used for keyed hashes and calendar-feed tokens; must be set in production.
    secret_key: str = field(default="dev-only-secret-change-me", repr=False)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("KA_VAR_DIR", str(PROJECT_ROOT / "var")))
        return cls(
            database_url=env.get("KA_DATABASE_URL", f"sqlite:///{var_dir / 'karriere.db'}"),
            var_dir=var_dir,
            knowledge_dir=Path(env.get("KA_KNOWLEDGE_DIR", str(PROJECT_ROOT / "knowledge"))),
            booking_config=Path(
                env.get("KA_BOOKING_CONFIG", str(PROJECT_ROOT / "config" / "counsellors.yml"))
            ),
            public_base_url=env.get("KA_PUBLIC_BASE_URL", "http://localhost:5005").rstrip("/"),
            teams_webhook_url=env.get("KA_TEAMS_WEBHOOK_URL", ""),
            allowed_email_domains=_csv(env.get("KA_ALLOWED_EMAIL_DOMAINS", "regionh.dk")),
            application_retention_days=int(env.get("KA_APPLICATION_RETENTION_DAYS", "365")),
            conversation_retention_days=int(env.get("KA_CONVERSATION_RETENTION_DAYS", "30")),
            secret_key=env.get("KA_SECRET_KEY", "dev-only-secret-change-me"),
        )
