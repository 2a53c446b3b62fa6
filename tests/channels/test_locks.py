"""AtomicRedisLockStore against a real redis-server on loopback."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.redis_server import redis_server, redis_url  # noqa: F401  (fixtures)

from bot.channels.locks import AtomicRedisLockStore, LockStoreUnavailable, LockWaitTimeout
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

ROOT = Path(__file__).resolve().parents[2]


def _store(url: str, **options) -> AtomicRedisLockStore:
    options.setdefault("wait_timeout", 5)
    return AtomicRedisLockStore(url=url, **options)


def test_rasa_loads_the_store_by_module_path_from_the_endpoints_config(redis_url):
    config = EndpointConfig.from_dict({
        "type": "bot.channels.locks.AtomicRedisLockStore", "url": redis_url,
        "key_prefix": "test", "wait_timeout": 7, "lock_lifetime": 30,
    })
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert (store.url, store.key_prefix, store.wait_timeout, store.lock_lifetime) == (
        redis_url, "test:lock:", 7.0, 30.0)


def test_without_a_redis_url_the_store_refuses_to_start(monkeypatch):
    monkeypatch.delenv("KA_REDIS_URL", raising=False)
    with pytest.raises(ValueError, match="KA_REDIS_URL"):
        AtomicRedisLockStore(EndpointConfig(type="bot.channels.locks.AtomicRedisLockStore"))


def test_turns_of_one_conversation_never_overlap_across_replicas(redis_url):
    replicas = [_store(redis_url) for _ in range(3)]
    inside, most_inside, done = 0, 0, []

    async def turn(store, n):
        nonlocal inside, most_inside
        async with store.lock("conv-overlap"):
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.002)
            inside -= 1
            done.append(n)

    async def main():
        await asyncio.gather(*(turn(replicas[n % 3], n) for n in range(60)))

    asyncio.run(main())
    assert most_inside == 1 and sorted(done) == list(range(60))


def test_turns_in_one_replica_keep_the_order_they_arrived_in(redis_url):
    store, order = _store(redis_url), []

    async def turn(n):
        async with store.lock("conv-order"):
            await asyncio.sleep(0.001)
            order.append(n)

    async def main():
        tasks = []
        for n in range(15):
            tasks.append(asyncio.create_task(turn(n)))
            await asyncio.sleep(0)  # arrive one after the other
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == list(range(15))


def test_other_conversations_are_not_blocked(redis_url):
    store = _store(redis_url)

    async def main():
        async with store.lock("conv-a"):
            started = time.monotonic()
            async with store.lock("conv-b"):
                return time.monotonic() - started

    assert asyncio.run(main()) < 0.5


def test_a_turn_waiting_too_long_gets_a_clear_lock_error(redis_url):
    holder, waiter = _store(redis_url), _store(redis_url, wait_timeout=0.4)
    entered = []

    async def main():
        async with holder.lock("conv-wait"):
            started = time.monotonic()
            with pytest.raises(LockWaitTimeout, match="after 0.4 s"):
                async with waiter.lock("conv-wait"):
                    entered.append(True)
            return time.monotonic() - started

    waited = asyncio.run(main())
    assert entered == [] and 0.35 <= waited < 2
    assert issubclass(LockWaitTimeout, LockError)


def test_when_redis_is_down_the_turn_is_refused_at_once(redis_server):
    store = _store(redis_server.url, socket_timeout=1)
    redis_server.stop()
    entered = []

    async def main():
        started = time.monotonic()
        with pytest.raises(LockStoreUnavailable):
            async with store.lock("conv-down"):
                entered.append(True)
        return time.monotonic() - started

    assert asyncio.run(main()) < 3 and entered == []
    assert issubclass(LockStoreUnavailable, LockError)


def test_the_store_works_again_when_redis_comes_back(redis_server):
    store = _store(redis_server.url, socket_timeout=1)
    redis_server.stop()

    async def attempt():
        async with store.lock("conv-back"):
            return True

    with pytest.raises(LockStoreUnavailable):
        asyncio.run(attempt())
    redis_server.start()
    assert asyncio.run(attempt()) is True


def test_release_deletes_only_the_lock_it_owns(redis_url):
    store = _store(redis_url)

    async def main():
        client = store._redis()
        await client.set(store.key("conv-own"), "someone-else", px=10_000)
        await store._release("conv-own", "my-token")
        value = await client.get(store.key("conv-own"))
        await client.delete(store.key("conv-own"))
        return value

    assert asyncio.run(main()) == b"someone-else"


def test_a_long_turn_keeps_its_lock_past_the_lifetime(redis_url):
    holder = _store(redis_url, lock_lifetime=1)
    other = _store(redis_url, wait_timeout=0.3)

    async def main():
        async with holder.lock("conv-long"):
            await asyncio.sleep(2.2)  # more than twice the lifetime
            with pytest.raises(LockWaitTimeout):
                async with other.lock("conv-long"):
                    pass
        return await holder.is_locked("conv-long")

    assert asyncio.run(main()) is False  # and released at the end


def test_a_lock_left_by_a_crashed_replica_expires(redis_url):
    store = _store(redis_url, wait_timeout=3)

    async def main():
        await store._redis().set(store.key("conv-crash"), "dead-replica", px=600)
        started = time.monotonic()
        async with store.lock("conv-crash"):
            return time.monotonic() - started

    assert 0.3 < asyncio.run(main()) < 2.5


_WORKER = textwrap.dedent("""
    import asyncio, sys
    from bot.channels.locks import AtomicRedisLockStore
    import redis.asyncio as aioredis

    url, turns = sys.argv[1], int(sys.argv[2])
    async def main():
        store = AtomicRedisLockStore(url=url, wait_timeout=30)
        counter = aioredis.Redis.from_url(url)
        overlaps = 0
        async def worker():
            nonlocal overlaps
            for _ in range(turns):
                async with store.lock("conv-processes"):
                    if await counter.incr("inside") != 1:
                        overlaps += 1
                    await asyncio.sleep(0.001)
                    await counter.decr("inside")
                    await counter.incr("turns")
        await asyncio.gather(*(worker() for _ in range(4)))
        print(overlaps)
    asyncio.run(main())
""")


def test_separate_processes_never_run_one_conversations_turns_at_once(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("inside", "turns")
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, redis_url, "10"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    results = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _, err in results]
    assert [int(out.strip()) for out, _ in results] == [0, 0, 0]
    assert int(client.get("turns")) == 3 * 4 * 10


def test_a_redis_restart_does_not_refuse_the_next_turn(redis_server):
    store = _store(redis_server.url, socket_timeout=1)

    async def main():
        async with store.lock("conv-restart"):
            pass
        redis_server.stop()
        redis_server.start()  # same port; the pooled connection is now dead
        async with store.lock("conv-restart"):
            return True

    assert asyncio.run(main()) is True


def test_a_retried_acquire_finds_its_own_lock(redis_url):
    store = _store(redis_url)

    async def main():
        from bot.channels.locks import _ACQUIRE

        client, key = store._redis(), store.key("conv-retry")
        first = await client.eval(_ACQUIRE, 1, key, "token-a", 5000)
        again = await client.eval(_ACQUIRE, 1, key, "token-a", 5000)
        other = await client.eval(_ACQUIRE, 1, key, "token-b", 5000)
        await client.delete(key)
        return first, again, other

    assert asyncio.run(main()) == (1, 1, 0)
