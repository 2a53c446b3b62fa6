"""A fake Bot Framework on 127.0.0.1: OpenID metadata, JWKS, the token endpoint
and the Bot Connector, plus a signer for channel tokens with a test RSA key.

Records every call so tests can check what our channel sent and with which
Authorization header. Failures can be queued (429 with Retry-After, 503, ...).
"""
from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional, Tuple

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
_KEY_CACHE: Dict[str, rsa.RSAPrivateKey] = {}


def rsa_key(name: str = "main") -> rsa.RSAPrivateKey:
    """RSA keys are slow to make; one per name per test session."""
    if name not in _KEY_CACHE:
        _KEY_CACHE[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEY_CACHE[name]


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: Optional[List[str]]) -> Dict[str, Any]:
    numbers = key.public_key().public_numbers()
    entry: Dict[str, Any] = {"kty": "RSA", "use": "sig", "kid": kid,
                             "n": _b64(numbers.n), "e": _b64(numbers.e)}
    if endorsements is not None:
        entry["endorsements"] = endorsements
    return entry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Delivered:
    conversation_id: str
    activity: Dict[str, Any]
    authorization: str
    # First path segment of the service URL the activity was posted to.
    region: str = "teams"


@dataclass
class FakeBotFramework:
    app_id: str
    port: int = field(default_factory=free_port)
    token_lifetime: int = 3600
    kid: str = "test-key-1"
    endorsements: Optional[List[str]] = field(default_factory=lambda: ["msteams"])
    # Further published keys: (kid, key, endorsements).
    extra_keys: List[Tuple[str, rsa.RSAPrivateKey, Optional[List[str]]]] = field(default_factory=list)
    delivered: List[Delivered] = field(default_factory=list)
    token_requests: List[Dict[str, str]] = field(default_factory=list)
    issued_tokens: List[str] = field(default_factory=list)
    connector_calls: int = 0
    openid_hits: int = 0
    jwks_hits: int = 0
    # Answers for the next connector / token calls: (status, headers).
    connector_failures: Deque[Tuple[int, Dict[str, str]]] = field(default_factory=deque)
    token_failures: Deque[Tuple[int, Dict[str, str]]] = field(default_factory=deque)
    _runner: Optional[web.AppRunner] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openid_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/tenant/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/teams/"

    # --- server -----------------------------------------------------------------
    async def start(self) -> "FakeBotFramework":
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/keys", self._jwks)
        app.router.add_post("/tenant/oauth2/v2.0/token", self._token)
        app.router.add_post("/{region}/v3/conversations/{conversation}/activities", self._activity)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _openid(self, _: web.Request) -> web.Response:
        self.openid_hits += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base_url}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _jwks(self, _: web.Request) -> web.Response:
        self.jwks_hits += 1
        keys = [jwk(rsa_key(), self.kid, self.endorsements)]
        keys += [jwk(key, kid, endorsements) for kid, key, endorsements in self.extra_keys]
        return web.json_response({"keys": keys})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if self.token_failures:
            status, headers = self.token_failures.popleft()
            return web.json_response({"error": "temporarily_unavailable"}, status=status, headers=headers)
        if form.get("client_id") != self.app_id or form.get("client_secret") != "test-password":
            return web.json_response({"error": "invalid_client"}, status=401)
        token = f"outbound-{len(self.issued_tokens) + 1}-{uuid.uuid4().hex}"
        self.issued_tokens.append(token)
        return web.json_response({"token_type": "Bearer", "access_token": token,
                                  "expires_in": self.token_lifetime})

    async def _activity(self, request: web.Request) -> web.Response:
        self.connector_calls += 1
        if self.connector_failures:
            status, headers = self.connector_failures.popleft()
            return web.json_response({"error": {"code": "Throttled"}}, status=status, headers=headers)
        authorization = request.headers.get("Authorization", "")
        if authorization.removeprefix("Bearer ") not in self.issued_tokens:
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        self.delivered.append(Delivered(request.match_info["conversation"], await request.json(),
                                        authorization, request.match_info["region"]))
        return web.json_response({"id": f"reply-{len(self.delivered)}"}, status=201)

    async def wait_for(self, count: int, timeout: float = 5.0) -> List[Delivered]:
        deadline = time.monotonic() + timeout
        while len(self.delivered) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert len(self.delivered) >= count, f"expected {count} replies, got {len(self.delivered)}"
        return self.delivered

    # --- tokens the "channel" sends us ----------------------------------------------
    def channel_token(self, *, key: Optional[rsa.RSAPrivateKey] = None, algorithm: str = "RS256",
                      kid: Optional[str] = "default", service_url: Optional[str] = None,
                      **claims: Any) -> str:
        """A signed token like Bot Framework's; pass claim=None to leave a claim out."""
        now = int(time.time())
        body: Dict[str, Any] = {"iss": ISSUER, "aud": self.app_id, "nbf": now - 5,
                                "iat": now - 5, "exp": now + 600,
                                "serviceurl": service_url or self.service_url}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        headers = {} if kid is None else {"kid": self.kid if kid == "default" else kid}
        signing_key: Any = key or rsa_key()
        if algorithm.startswith("HS"):
            signing_key = "a-shared-secret-that-is-long-enough-for-hs256"
        if kid is None:
            return _encode_without_kid(body, signing_key, algorithm)
        return jwt.encode(body, signing_key, algorithm=algorithm, headers=headers)


def _encode_without_kid(body: Dict[str, Any], key: Any, algorithm: str) -> str:
    token = jwt.encode(body, key, algorithm=algorithm)
    header = jwt.get_unverified_header(token)
    assert "kid" not in header
    return token


def garbage_token() -> str:
    return base64.urlsafe_b64encode(json.dumps({"alg": "RS256"}).encode()).decode().rstrip("=") + ".x.y"
