"""A fake Teams webhook on loopback, for tests, benchmarks and local runs.

    with FakeTeamsWebhook(statuses=[503, 503]) as hook:   # then 200 for ever
        sender = TeamsWebhookSender(hook.url)
        ...
        hook.requests   # every JSON body received, in order

It answers the scripted statuses first, then `default_status`. Nothing here
is used by the production code paths.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Deque, Dict, Iterable, List, Optional, Tuple


class FakeTeamsWebhook:
    def __init__(self, statuses: Iterable[int] = (), default_status: int = 200,
                 delay_seconds: float = 0.0, body: str = "1") -> None:
        self._script: Deque[int] = deque(statuses)
        self.default_status = default_status
        self.delay_seconds = delay_seconds
        self.body = body
        self._lock = threading.Lock()
        self.requests: List[Dict[str, Any]] = []
        # (monotonic time received, status answered) per request
        self.log: List[Tuple[float, int]] = []
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhook"

    def script(self, *statuses: int) -> None:
        """Answer these statuses to the next requests (then default_status)."""
        with self._lock:
            self._script.extend(statuses)

    def _next_status(self, body: Dict[str, Any]) -> int:
        with self._lock:
            status = self._script.popleft() if self._script else self.default_status
            self.requests.append(body)
            self.log.append((time.monotonic(), status))
            return status

    def delivered(self) -> List[Dict[str, Any]]:
        """Bodies that were answered with 2xx."""
        with self._lock:
            return [b for b, (_, s) in zip(self.requests, self.log) if 200 <= s < 300]

    def start(self) -> "FakeTeamsWebhook":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_invalid_json": raw.decode("utf-8", "replace")}
                if fake.delay_seconds:
                    time.sleep(fake.delay_seconds)
                status = fake._next_status(body)
                answer = (fake.body if 200 <= status < 300 else "unavailable").encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-teams", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeTeamsWebhook":
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()
