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
    # --- handoff (owned by the handoff feature) ---
    # Minutes a live handoff may wait for a counsellor before the employee is told.
    handoff_wait_minutes: int = 3
    # A counsellor counts as present while the open console page sent a heartbeat this recently.
    handoff_heartbeat_seconds: int = 90
    # Input channels that can show a counsellor's replies live (others get "leave a message").
    handoff_live_channels: Tuple[str, ...] = ("webchat",)
    # Ignore opening hours (demo and test environments only).
    handoff_always_open: bool = False
    # Hours a counsellor stays logged into the console without activity.
    console_session_hours: int = 10

    # --- Teams bot channel (owned by bot/channels/teams) ---
    # Microsoft App ID of the Azure Bot; empty = the Teams channel refuses requests (503).
    teams_app_id: str = ""
    # Client secret of that app registration.
    teams_app_password: str = field(default="", repr=False)
    # Directory (tenant) id of a single-tenant app registration; empty = multi-tenant.
    teams_tenant_id: str = ""
    # OpenID metadata document that names the Bot Framework signing keys.
    teams_openid_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    # Token endpoint override (tests, sovereign clouds); empty = derived from the tenant.
    teams_token_url: str = ""
    # Key of the HMAC that turns Teams user ids into pseudonymous sender ids.
    teams_pseudonym_secret: str = field(default="", repr=False)
    # Bot Framework channel ids accepted ("msteams"; add "webchat" to test in the Azure portal).
    teams_channel_ids: Tuple[str, ...] = ("msteams",)

    # --- production profile and privacy tooling (issue 8) ---
    # Rasa's SQL tracker store (conversation events), as an SQLAlchemy URL; must name the
    # same database as the tracker_store in the endpoints file Rasa runs with.
    tracker_store_url: str = ""
    # Redis for conversation locks and socket.io fan-out across replicas; empty = one process.
    redis_url: str = field(default="", repr=False)

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
            handoff_wait_minutes=int(env.get("KA_HANDOFF_WAIT_MINUTES", "3")),
            handoff_heartbeat_seconds=int(env.get("KA_HANDOFF_HEARTBEAT_SECONDS", "90")),
            handoff_live_channels=_csv(env.get("KA_HANDOFF_LIVE_CHANNELS", "webchat")),
            handoff_always_open=env.get("KA_HANDOFF_ALWAYS_OPEN", "").lower() in ("1", "true", "yes"),
            console_session_hours=int(env.get("KA_CONSOLE_SESSION_HOURS", "10")),
            teams_app_id=env.get("KA_TEAMS_APP_ID", "").strip(),
            teams_app_password=env.get("KA_TEAMS_APP_PASSWORD", ""),
            teams_tenant_id=env.get("KA_TEAMS_TENANT_ID", "").strip(),
            teams_openid_url=env.get(
                "KA_TEAMS_OPENID_URL",
                "https://login.botframework.com/v1/.well-known/openidconfiguration",
            ),
            teams_token_url=env.get("KA_TEAMS_TOKEN_URL", "").strip(),
            teams_pseudonym_secret=env.get("KA_TEAMS_PSEUDONYM_SECRET", ""),
            teams_channel_ids=_csv(env.get("KA_TEAMS_CHANNEL_IDS", "msteams")),
            tracker_store_url=env.get("KA_TRACKER_STORE_URL", f"sqlite:///{var_dir / 'trackers.db'}"),
            redis_url=env.get("KA_REDIS_URL", "").strip(),
        )
