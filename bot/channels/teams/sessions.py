"""One aiohttp client session (and one lock) per event loop.

aiohttp sessions and asyncio locks belong to the loop they were created in.
The Rasa server has one loop, but `send_proactive` may also be called from a
script's own loop; each loop gets its own session, created on first use (never
at import or construction time).
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, Tuple

import aiohttp


class LoopSessions:
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        # id(loop) -> (loop, session, lock); the loop is kept to rule out a
        # recycled id of a closed loop.
        self._by_loop: Dict[int, Tuple[asyncio.AbstractEventLoop, Any, Any]] = {}

    def _entry(self) -> Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession, asyncio.Lock]:
        loop = asyncio.get_running_loop()
        for key, (other, _, _) in list(self._by_loop.items()):
            if other.is_closed():
                del self._by_loop[key]
        entry = self._by_loop.get(id(loop))
        if entry is None or entry[0] is not loop or entry[1].closed:
            lock = entry[2] if entry is not None and entry[0] is loop else asyncio.Lock()
            entry = (loop, aiohttp.ClientSession(timeout=self._timeout), lock)
            self._by_loop[id(loop)] = entry
        return entry

    def session(self) -> aiohttp.ClientSession:
        return self._entry()[1]

    def lock(self) -> asyncio.Lock:
        return self._entry()[2]

    async def close(self) -> None:
        """Close the session of the running loop (call on server stop)."""
        entry = self._by_loop.pop(id(asyncio.get_running_loop()), None)
        if entry is not None and not entry[1].closed:
            await entry[1].close()
