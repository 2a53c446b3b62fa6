"""Configuration of the Teams channel: one frozen object built from Settings
(environment variables), with the timing knobs tests turn down.

Secrets come only from the environment (KA_TEAMS_APP_PASSWORD,
KA_TEAMS_PSEUDONYM_SECRET); credentials.yml may override the non-secret values.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional, Tuple
from urllib.parse import urlparse

from bot.settings import Settings

BOTFRAMEWORK_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOTFRAMEWORK_ISSUER = "https://api.botframework.com"
BOTFRAMEWORK_SCOPE = "https://api.botframework.com/.default"
LOGIN_AUTHORITY = "https://login.microsoftonline.com"
# Multi-tenant app registrations get their outbound tokens from this "tenant".
MULTI_TENANT = "botframework.com"
# Pseudonym secrets shorter than this are refused (Teams requests get 503).
MIN_SECRET_CHARS = 16

# http is tolerated only for these hosts (a token sent there never leaves the machine).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Keys of credentials.yml that may override settings (never the secrets).
_OVERRIDABLE = ("app_id", "tenant_id", "openid_url", "token_url", "channel_ids")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for 429 and 5xx answers (and network errors)."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A Retry-After longer than this is not waited for: the send fails instead.
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt counts from 1)."""
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return max(backoff, retry_after) if retry_after is not None else backoff


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str
    app_password: str = field(default="", repr=False)
    tenant_id: str = ""
    openid_url: str = BOTFRAMEWORK_OPENID_URL
    token_url: str = ""
    pseudonym_secret: str = field(default="", repr=False)
    channel_ids: Tuple[str, ...] = ("msteams",)
    database_url: str = ""
    issuer: str = BOTFRAMEWORK_ISSUER
    scope: str = BOTFRAMEWORK_SCOPE
    clock_skew_seconds: int = 300
    # Signing keys: regular refresh, refresh on an unknown key id (at most this
    # often), retry while no keys are known, and the HTTP timeout of a fetch.
    key_refresh_seconds: float = 24 * 3600
    unknown_key_refresh_seconds: float = 300
    key_retry_seconds: float = 30
    fetch_timeout_seconds: float = 10
    # Outbound calls to the Bot Connector and the token endpoint.
    send_timeout_seconds: float = 15
    retry: RetryPolicy = RetryPolicy()
    # Rasa payload sent when the bot is added to a conversation (text from the domain).
    welcome_payload: str = "/greet"

    @classmethod
    def from_settings(
        cls, settings: Settings, overrides: Optional[Mapping[str, Any]] = None
    ) -> "TeamsConfig":
        config = cls(
            app_id=settings.teams_app_id,
            app_password=settings.teams_app_password,
            tenant_id=settings.teams_tenant_id,
            openid_url=settings.teams_openid_url or BOTFRAMEWORK_OPENID_URL,
            token_url=settings.teams_token_url,
            pseudonym_secret=settings.teams_pseudonym_secret,
            channel_ids=tuple(settings.teams_channel_ids) or ("msteams",),
            database_url=settings.database_url,
        )
        chosen = {k: v for k, v in (overrides or {}).items() if k in _OVERRIDABLE and v}
        if isinstance(chosen.get("channel_ids"), str):
            chosen["channel_ids"] = tuple(p.strip() for p in chosen["channel_ids"].split(","))
        elif "channel_ids" in chosen:
            chosen["channel_ids"] = tuple(chosen["channel_ids"])
        return replace(config, **chosen)

    @property
    def outbound_token_url(self) -> str:
        """Single-tenant: the tenant's own endpoint; multi-tenant: botframework.com's."""
        if self.token_url:
            return self.token_url
        tenant = self.tenant_id or MULTI_TENANT
        return f"{LOGIN_AUTHORITY}/{tenant}/oauth2/v2.0/token"

    def problems(self) -> Tuple[str, ...]:
        """What keeps the channel from serving Teams (empty when it can)."""
        found = []
        if not self.app_id:
            found.append("KA_TEAMS_APP_ID is not set")
        if not self.app_password:
            found.append("KA_TEAMS_APP_PASSWORD is not set")
        if len(self.pseudonym_secret) < MIN_SECRET_CHARS:
            found.append(f"KA_TEAMS_PSEUDONYM_SECRET must have at least {MIN_SECRET_CHARS} characters")
        return tuple(found)

    def service_url_allowed(self, service_url: str) -> bool:
        """Our bearer token must never travel in clear text: https, or http on
        loopback (where end-to-end tests run a fake Bot Framework)."""
        url = urlparse(service_url)
        if url.scheme == "https":
            return bool(url.hostname)
        return url.scheme == "http" and url.hostname in LOOPBACK_HOSTS
