"""Sends outbox messages to a Microsoft Teams channel through a webhook."""
from __future__ import annotations

import threading
from typing import Any, Mapping, Optional

import requests

from bot.outbox.cards import teams_message
from bot.outbox.dispatcher import DeliveryError

# Classic Teams connectors answer 200 even when delivery failed, with this in the body.
_FAILED_BODY_MARKER = "delivery failed"


class TeamsWebhookSender:
    """Posts one Adaptive Card per message to `url` with `requests`.

    2xx means delivered; anything else, a timeout, a connection error, or a
    200 whose body says "Webhook message delivery failed" (classic connectors
    do that, e.g. when throttled with 429) raises DeliveryError and the
    dispatcher retries later. Thread-safe: one HTTP session per thread.
    """

    def __init__(self, url: str, timeout: float = 10.0, console_url: Optional[str] = None) -> None:
        if not url:
            raise ValueError("TeamsWebhookSender needs a webhook URL")
        self.url = url
        self.timeout = timeout
        self.console_url = console_url
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send(self, kind: str, payload: Mapping[str, Any]) -> None:
        body = teams_message(kind, payload, self.console_url)
        try:
            response = self._session().post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
        if _FAILED_BODY_MARKER in response.text[:500].lower():
            raise DeliveryError(f"HTTP {response.status_code} but {response.text[:200]}")


def make_sender(webhook_url: str, *, timeout: float = 10.0,
                console_url: Optional[str] = None) -> Optional[TeamsWebhookSender]:
    """A sender for the configured URL, or None when none is configured."""
    return TeamsWebhookSender(webhook_url, timeout, console_url) if webhook_url else None
