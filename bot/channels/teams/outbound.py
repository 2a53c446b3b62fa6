"""Outbound calls to the Bot Connector: client-credentials tokens and sending
activities, all with aiohttp (never blocking the event loop).

- Tokens come from the tenant's endpoint (single-tenant app registrations) or
  botframework.com's (multi-tenant), and are cached until shortly before expiry.
- 429 and 5xx answers and network errors are retried with exponential backoff;
  a Retry-After header is honoured. A 401 from the connector drops the cached
  token and retries once with a fresh one.
- Service URLs must be https (our bearer token must not travel in clear text),
  except on loopback, where the end-to-end tests run a fake.
"""
from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional
from urllib.parse import quote

import aiohttp

from bot.channels.teams.config import RetryPolicy, TeamsConfig
from bot.channels.teams.sessions import LoopSessions

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class DeliveryFailed(Exception):
    """A message could not be delivered to Teams (after retries)."""


class TokenUnavailable(DeliveryFailed):
    """No outbound access token could be obtained (wrong secret, endpoint down)."""


class InsecureServiceUrl(DeliveryFailed):
    """The service URL is not https; we refuse to send our token there."""


@dataclass
class _Answer:
    status: int
    body: Any
    retry_after: Optional[float]


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class _Caller:
    """POSTs with retries; shared by the token provider and the connector client."""

    def __init__(self, sessions: LoopSessions, retry: RetryPolicy, sleep: Sleep) -> None:
        self._sessions = sessions
        self._retry = retry
        self._sleep = sleep

    async def post(self, url: str, what: str, **kwargs: Any) -> _Answer:
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._post_once(url, **kwargs)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                if attempt >= self._retry.max_attempts:
                    raise DeliveryFailed(f"{what}: {type(exc).__name__} after {attempt} attempts") from exc
                await self._sleep(self._retry.delay(attempt))
                continue
            if not _retryable(answer.status) or attempt >= self._retry.max_attempts:
                return answer
            if answer.retry_after is not None and answer.retry_after > self._retry.max_retry_after:
                return answer  # not worth holding the conversation for; fail now
            logger.warning("%s answered HTTP %s; retry %s of %s", what, answer.status,
                           attempt, self._retry.max_attempts - 1)
            await self._sleep(self._retry.delay(attempt, answer.retry_after))

    async def _post_once(self, url: str, **kwargs: Any) -> _Answer:
        async with self._sessions.session().post(url, **kwargs) as response:
            try:
                body: Any = await response.json(content_type=None)
            except ValueError:
                body = None
            return _Answer(response.status, body, parse_retry_after(response.headers.get("Retry-After")))


class TokenProvider:
    """Client-credentials access tokens for the Bot Connector, cached until
    `margin` before expiry (at most half the token's lifetime)."""

    def __init__(self, config: TeamsConfig, sessions: LoopSessions, caller: _Caller,
                 clock: Clock = time.monotonic, margin_seconds: float = 300) -> None:
        self._config = config
        self._sessions = sessions
        self._caller = caller
        self._clock = clock
        self._margin = margin_seconds
        self._token: Optional[str] = None
        self._valid_until = 0.0
        self.fetches = 0

    def invalidate(self) -> None:
        self._token = None
        self._valid_until = 0.0

    async def token(self) -> str:
        if self._token and self._clock() < self._valid_until:
            return self._token
        async with self._sessions.lock():  # one fetch at a time, others reuse it
            if self._token and self._clock() < self._valid_until:
                return self._token
            return await self._fetch()

    async def _fetch(self) -> str:
        if not (self._config.app_id and self._config.app_password):
            raise TokenUnavailable("KA_TEAMS_APP_ID / KA_TEAMS_APP_PASSWORD are not set")
        self.fetches += 1
        form = {
            "grant_type": "client_credentials",
            "client_id": self._config.app_id,
            "client_secret": self._config.app_password,
            "scope": self._config.scope,
        }
        answer = await self._caller.post(self._config.outbound_token_url, "token endpoint", data=form)
        body = answer.body if isinstance(answer.body, dict) else {}
        token = body.get("access_token")
        if answer.status != 200 or not isinstance(token, str) or not token:
            # The error code (e.g. invalid_client) helps the operator; the body never has secrets.
            raise TokenUnavailable(f"token endpoint answered HTTP {answer.status} {body.get('error', '')}")
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._token = token
        self._valid_until = self._clock() + lifetime - min(self._margin, lifetime / 2)
        return token


class BotConnectorClient:
    """Sends activities into conversations through the Bot Connector REST API."""

    def __init__(self, config: TeamsConfig, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._config = config
        self._sessions = LoopSessions(config.send_timeout_seconds)
        self._caller = _Caller(self._sessions, config.retry, sleep)
        self.tokens = TokenProvider(config, self._sessions, self._caller, clock)

    async def send_activity(self, service_url: str, conversation_id: str,
                            activity: Mapping[str, Any]) -> Dict[str, Any]:
        """POST one activity; returns the connector's answer (usually {"id": ...})."""
        if not self._config.service_url_allowed(service_url):
            raise InsecureServiceUrl("refusing to send to a non-https service URL")
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        for fresh_token_tried in (False, True):
            token = await self.tokens.token()
            answer = await self._caller.post(
                url, "Bot Connector", json=dict(activity),
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status == 401 and not fresh_token_tried:
                self.tokens.invalidate()
                continue
            if 200 <= answer.status < 300:
                return answer.body if isinstance(answer.body, dict) else {}
            raise DeliveryFailed(f"Bot Connector answered HTTP {answer.status}")
        raise DeliveryFailed("Bot Connector refused our token")  # pragma: no cover - loop exits above

    async def close(self) -> None:
        await self._sessions.close()
