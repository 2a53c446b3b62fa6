"""A tiny client for the REST channel, used by end-to-end tests."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Tuple


def post_raw(url: str, body: bytes, content_type: str = "application/json") -> Tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, payload.decode("utf-8", "replace")


class Conversation:
    def __init__(self, rasa_url: str, sender: str = "") -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender or f"test-{uuid.uuid4().hex[:12]}"

    def say(self, message: Any) -> List[Dict[str, Any]]:
        status, replies = post_raw(
            self.url, json.dumps({"sender": self.sender, "message": message}).encode()
        )
        assert status == 200, (status, replies)
        return replies

    def texts(self, message: Any) -> str:
        return "\n".join(r.get("text", "") for r in self.say(message))
