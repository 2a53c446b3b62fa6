"""A conversation lock store for several Rasa replicas, on Redis's atomic primitives.

Rasa 3.6's RedisLockStore keeps a ticket queue per conversation as one JSON
value and changes it with GET, modify in Python, SET. Two replicas that issue a
ticket at the same moment both read the same queue and one write overwrites the
other, so both believe they are being served: one conversation's turns run at
once, and one of them is lost when the trackers are saved. This store instead
serialises a conversation's turns with one mutex per conversation:

- acquire: `SET ka:lock:<conversation> <random token> NX PX <lifetime>` (in a
  Lua script that also accepts the key when it already holds our own token, so
  a retried command is safe), which Redis performs atomically; a replica that
  gets "no" polls with a short, growing, jittered pause until `wait_timeout`
  has passed, then raises LockError;
- hold: while the turn runs, a watchdog extends the expiry (compare-and-pexpire
  in Lua), so a turn longer than the lifetime never loses the lock; if the
  process dies, the key expires after `lifetime` and the conversation moves on;
- release: compare-and-delete in Lua, so a replica only ever deletes its own lock;
- order: inside one replica, turns of one conversation queue in an asyncio.Lock
  (FIFO) before touching Redis, so messages from one web chat socket keep the
  order they were sent in, as with Rasa's ticket lock.

When Redis cannot be reached the store refuses the turn with LockError at once:
never two turns of one conversation at the same time. Rasa lets LockError out of
`agent.handle_message`; our channels answer it calmly in Danish (REST: the
"Assistenten kan ikke svare lige nu" text, web chat: the `server_error` event).

Plugged in by module path in the endpoints file (Rasa calls the class with
`endpoint_config=`):

    lock_store:
      type: bot.channels.locks.AtomicRedisLockStore
      url: ${KA_REDIS_URL}          # redis://[:password@]host:port/db; default KA_REDIS_URL
      key_prefix: ka                # optional, alphanumeric
      wait_timeout: 20              # seconds a turn may wait for the previous one
      lock_lifetime: 60             # seconds; the watchdog renews it while a turn runs
      socket_timeout: 2             # seconds per Redis command
"""
from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncGenerator, Dict, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "ka"
DEFAULT_WAIT_TIMEOUT = 20.0
DEFAULT_SOCKET_TIMEOUT = 2.0
_FIRST_PAUSE = 0.01
_MAX_PAUSE = 0.2

# KEYS[1] = lock key, ARGV[1] = our token, ARGV[2] = lifetime in ms. SET NX PX, and
# also "yes" when the key already holds our token: a retried acquire whose first
# reply was lost must not wait for its own lock.
_ACQUIRE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
# KEYS[1] = lock key, ARGV[1] = our token. Deletes the key only if we still own it.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# KEYS[1] = lock key, ARGV[1] = our token, ARGV[2] = lifetime in ms. Extends only our own lock.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class LockStoreUnavailable(LockError):
    """Redis could not be reached: the turn is refused rather than run unlocked."""


class LockWaitTimeout(LockError):
    """Another turn of the conversation held the lock for longer than `wait_timeout`."""


@dataclass
class _LocalQueue:
    lock: asyncio.Lock
    users: int = 0


class AtomicRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        *,
        url: Optional[str] = None,
        key_prefix: Optional[str] = None,
        wait_timeout: Optional[float] = None,
        lock_lifetime: Optional[float] = None,
        socket_timeout: Optional[float] = None,
    ) -> None:
        options: Dict[str, Any] = dict(getattr(endpoint_config, "kwargs", None) or {})
        self.url = (url or getattr(endpoint_config, "url", None) or options.get("url")
                    or Settings.from_env().redis_url)
        if not self.url:
            raise ValueError(
                "AtomicRedisLockStore needs a Redis URL: set KA_REDIS_URL or `url:` in the "
                "lock_store section of the endpoints file"
            )
        prefix = str(key_prefix or options.get("key_prefix") or DEFAULT_KEY_PREFIX)
        if not prefix.isalnum():
            raise ValueError(f"lock store key_prefix must be alphanumeric, not {prefix!r}")
        self.key_prefix = f"{prefix}:lock:"
        self.wait_timeout = float(wait_timeout if wait_timeout is not None
                                  else options.get("wait_timeout", DEFAULT_WAIT_TIMEOUT))
        self.lock_lifetime = float(lock_lifetime if lock_lifetime is not None
                                   else options.get("lock_lifetime", LOCK_LIFETIME))
        self.socket_timeout = float(socket_timeout if socket_timeout is not None
                                    else options.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT))
        if self.wait_timeout <= 0 or self.lock_lifetime < 1 or self.socket_timeout <= 0:
            raise ValueError("wait_timeout and socket_timeout must be positive, lock_lifetime >= 1 s")
        self._client: Optional[Tuple[asyncio.AbstractEventLoop, Any]] = None
        self._queues: Dict[str, _LocalQueue] = {}
        super().__init__()

    # ----------------------------------------------------------------- redis client
    def _redis(self) -> Any:
        """One client per event loop (redis.asyncio connections belong to the loop that made them)."""
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        loop = asyncio.get_running_loop()
        if self._client is None or self._client[0] is not loop:
            # One immediate retry on a fresh connection: after a Redis restart the
            # pooled connections are dead, and every script here is idempotent.
            client = aioredis.Redis.from_url(
                self.url, socket_timeout=self.socket_timeout,
                socket_connect_timeout=self.socket_timeout, health_check_interval=30,
                retry=Retry(NoBackoff(), 1),
                retry_on_error=[RedisConnectionError, RedisTimeoutError],
            )
            self._client = (loop, client)
        return self._client[1]

    def key(self, conversation_id: Text) -> str:
        return self.key_prefix + conversation_id

    # ----------------------------------------------------------------- the lock
    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock for the body; LockError if it cannot be had in time.

        Rasa's arguments are accepted for compatibility; this store's own
        `lock_lifetime` and `wait_timeout` (from the endpoints file) apply.
        """
        deadline = time.monotonic() + self.wait_timeout
        queue = self._queues.setdefault(conversation_id, _LocalQueue(asyncio.Lock()))
        queue.users += 1
        try:
            try:
                await asyncio.wait_for(queue.lock.acquire(), timeout=self.wait_timeout)
            except asyncio.TimeoutError:
                raise LockWaitTimeout(
                    f"Conversation lock not free after {self.wait_timeout:g} s (queued in this replica)."
                ) from None
            try:
                token = await self._acquire(conversation_id, deadline)
                watchdog = asyncio.create_task(self._keep_alive(conversation_id, token))
                try:
                    yield TicketLock(conversation_id)
                finally:
                    watchdog.cancel()
                    await self._release(conversation_id, token)
            finally:
                queue.lock.release()
        finally:
            queue.users -= 1
            if queue.users == 0:
                self._queues.pop(conversation_id, None)

    async def _acquire(self, conversation_id: Text, deadline: float) -> str:
        from redis.exceptions import RedisError

        token = secrets.token_hex(16)
        key = self.key(conversation_id)
        lifetime_ms = int(self.lock_lifetime * 1000)
        pause = _FIRST_PAUSE
        while True:
            try:
                if await self._redis().eval(_ACQUIRE, 1, key, token, lifetime_ms):
                    return token
            except (RedisError, OSError) as error:
                logger.error("Lock store unavailable, turn refused: %s", type(error).__name__)
                raise LockStoreUnavailable(
                    f"Redis lock store unreachable ({type(error).__name__}); turn refused."
                ) from error
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.warning("Conversation lock wait timed out after %.1f s", self.wait_timeout)
                raise LockWaitTimeout(
                    f"Conversation lock still held by another turn after {self.wait_timeout:g} s."
                )
            await asyncio.sleep(min(remaining, pause * random.uniform(0.5, 1.5)))
            pause = min(pause * 2, _MAX_PAUSE)

    async def _keep_alive(self, conversation_id: Text, token: str) -> None:
        from redis.exceptions import RedisError

        key = self.key(conversation_id)
        lifetime_ms = int(self.lock_lifetime * 1000)
        while True:
            await asyncio.sleep(self.lock_lifetime / 3)
            try:
                if not await self._redis().eval(_RENEW, 1, key, token, lifetime_ms):
                    logger.error("Conversation lock was lost while its turn was running")
                    return
            except (RedisError, OSError) as error:
                logger.error("Conversation lock could not be renewed: %s", type(error).__name__)

    async def _release(self, conversation_id: Text, token: str) -> None:
        from redis.exceptions import RedisError

        try:
            await self._redis().eval(_RELEASE, 1, self.key(conversation_id), token)
        except (RedisError, OSError) as error:
            # The key expires by itself after lock_lifetime; until then the
            # conversation's next turn waits (and is refused while Redis is down).
            logger.warning("Conversation lock could not be released: %s", type(error).__name__)

    async def is_locked(self, conversation_id: Text) -> bool:
        return bool(await self._redis().exists(self.key(conversation_id)))

    async def close(self) -> None:
        if self._client is not None:
            await self._client[1].close()
            self._client = None

    # ----------------------------------------------------------------- ticket API
    # Rasa only ever calls `lock()`; the ticket-queue methods of the base class
    # make no sense for a mutex and must not be used by accident.
    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        raise NotImplementedError("AtomicRedisLockStore has no ticket queue; use lock()")

    def delete_lock(self, conversation_id: Text) -> None:
        raise NotImplementedError("AtomicRedisLockStore has no ticket queue; use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore has no ticket queue; use lock()")
