"""Authentication of requests from the Bot Framework, as Microsoft's SDKs do it.

- RS256 only, with a key id; the key comes from the JWKS named by the OpenID
  metadata document, fetched asynchronously and cached.
- Issuer https://api.botframework.com, audience = our app id, expiry and
  not-before with 5 minutes of clock skew.
- The token's `serviceurl` claim must equal the activity's serviceUrl, and the
  key's endorsements (when present) must include the activity's channel id.

Start-up never waits for Microsoft: a background task fetches the keys and
refreshes them daily; until keys are known, requests get 503. An unknown key id
triggers a refresh at most once per `unknown_key_refresh_seconds`. Every token
problem is an AuthenticationFailed (HTTP 401), never an unhandled exception.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

from bot.channels.teams.config import TeamsConfig
from bot.channels.teams.sessions import LoopSessions

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
SERVICE_URL_CLAIM = "serviceurl"
_BEARER = re.compile(r"^Bearer +([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)$",
                     re.IGNORECASE)
_MAX_HEADER_CHARS = 16_000


class AuthenticationFailed(Exception):
    """The request does not carry a valid Bot Framework token (HTTP 401)."""


class SigningKeysUnavailable(Exception):
    """No signing keys are known yet, so no token can be checked (HTTP 503)."""


@dataclass(frozen=True)
class SigningKey:
    key: Any
    endorsements: Optional[FrozenSet[str]]


@dataclass(frozen=True)
class Identity:
    """A verified token's claims and the endorsements of the key that signed it."""

    claims: Mapping[str, Any]
    endorsements: Optional[FrozenSet[str]]


def parse_jwks(document: Any) -> Dict[str, SigningKey]:
    """The usable RSA keys of a JWKS document by key id (bad entries are skipped)."""
    keys: Dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not entry.get("kid"):
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            logger.warning("skipping an unusable signing key %r", entry.get("kid"))
            continue
        endorsements = entry.get("endorsements")
        keys[str(entry["kid"])] = SigningKey(
            public_key,
            frozenset(str(e) for e in endorsements) if isinstance(endorsements, list) else None,
        )
    return keys


class SigningKeyCache:
    """Bot Framework signing keys, fetched lazily and in the background."""

    def __init__(self, config: TeamsConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._sessions = LoopSessions(config.fetch_timeout_seconds)
        self._keys: Dict[str, SigningKey] = {}
        self._fetched_at: Optional[float] = None
        self._attempted_at: Optional[float] = None
        self._task: Optional[asyncio.Task] = None
        self.fetches = 0

    @property
    def ready(self) -> bool:
        return bool(self._keys)

    async def refresh(self) -> bool:
        """Fetch metadata and keys once (one fetch at a time); never raises."""
        asked_at = self._clock()
        async with self._sessions.lock():
            if self._fetched_at is not None and self._fetched_at >= asked_at:
                return True  # another caller fetched them while we waited
            self._attempted_at = self._clock()
            self.fetches += 1
            try:
                keys = await self._fetch()
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as exc:
                logger.warning("Bot Framework signing keys could not be fetched from %s: %s",
                               self._config.openid_url, type(exc).__name__)
                return False
            if not keys:
                logger.warning("Bot Framework key set had no usable keys; keeping the old ones")
                return False
            self._keys = keys
            self._fetched_at = self._clock()
            logger.info("Bot Framework signing keys loaded (%d keys)", len(keys))
            return True

    async def _fetch(self) -> Dict[str, SigningKey]:
        session = self._sessions.session()
        async with session.get(self._config.openid_url) as response:
            response.raise_for_status()
            metadata = await response.json(content_type=None)
        jwks_uri = metadata["jwks_uri"]
        if not isinstance(jwks_uri, str):
            raise TypeError("jwks_uri is not a string")
        async with session.get(jwks_uri) as response:
            response.raise_for_status()
            return parse_jwks(await response.json(content_type=None))

    def _since(self, moment: Optional[float]) -> float:
        return float("inf") if moment is None else self._clock() - moment

    async def _maybe_refresh(self, min_interval: float) -> None:
        """Join a fetch in flight, or start one unless the last was too recent."""
        lock = self._sessions.lock()
        if lock.locked():
            async with lock:
                return
        if self._since(self._attempted_at) >= min_interval:
            await self.refresh()

    async def get(self, kid: str) -> SigningKey:
        if not self._keys:
            await self._maybe_refresh(self._config.key_retry_seconds)
        if not self._keys:
            raise SigningKeysUnavailable("Bot Framework signing keys are not loaded yet")
        if kid not in self._keys:
            await self._maybe_refresh(self._config.unknown_key_refresh_seconds)  # rotated?
        key = self._keys.get(kid)
        if key is None:
            raise AuthenticationFailed("token signed with an unknown key")
        return key

    # --- background refresh -------------------------------------------------
    def start(self) -> None:
        """Start the refresher in the running loop (server start; returns at once)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        failures = 0
        while True:
            if self._since(self._fetched_at) >= self._config.key_refresh_seconds or not self._keys:
                ok = await self.refresh()
                failures = 0 if ok else failures + 1
            if self._keys and failures == 0:
                wait = self._config.key_refresh_seconds - self._since(self._fetched_at)
            else:  # back off while Microsoft is unreachable: retry, 2x, 4x ... up to 10 minutes
                wait = min(600.0, self._config.key_retry_seconds * 2 ** max(0, failures - 1))
            await asyncio.sleep(max(1.0, wait))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        await self._sessions.close()


class InboundAuthenticator:
    def __init__(self, config: TeamsConfig, keys: SigningKeyCache) -> None:
        self._config = config
        self.keys = keys

    async def authenticate(self, header: Optional[str]) -> Identity:
        """Verify the bearer token of a request (before its body is read)."""
        if not header or len(header) > _MAX_HEADER_CHARS:
            raise AuthenticationFailed("no bearer token")
        match = _BEARER.match(header.strip())
        if not match:
            raise AuthenticationFailed("malformed Authorization header")
        token = match.group(1)
        try:
            unverified = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed("unreadable token") from exc
        if unverified.get("alg") != ALGORITHM:
            raise AuthenticationFailed("token algorithm is not RS256")
        kid = unverified.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationFailed("token has no key id")
        signing_key = await self.keys.get(kid)
        try:
            claims = jwt.decode(
                token,
                key=signing_key.key,
                algorithms=[ALGORITHM],
                audience=self._config.app_id,
                issuer=self._config.issuer,
                leeway=self._config.clock_skew_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed(f"token rejected: {type(exc).__name__}") from exc
        except (ValueError, TypeError) as exc:  # e.g. a non-numeric exp claim
            raise AuthenticationFailed("token claims unreadable") from exc
        return Identity(claims, signing_key.endorsements)

    def check_activity(self, identity: Identity, service_url: str, channel_id: str) -> None:
        """The token must have been issued for this activity's service URL and channel."""
        claimed = identity.claims.get(SERVICE_URL_CLAIM)
        if not isinstance(claimed, str) or not claimed:
            raise AuthenticationFailed("token has no serviceurl claim")
        if claimed.rstrip("/") != service_url.rstrip("/"):
            raise AuthenticationFailed("token was issued for another service URL")
        if identity.endorsements is not None and channel_id not in identity.endorsements:
            raise AuthenticationFailed("signing key is not endorsed for this channel")
