"""Rate limits: events per key in a sliding time window, never written to disk.

Keys (client addresses, user names) are pseudonymised inside the limiter before use. In one process the
counts live in memory, keyed by a salted hash whose salt is random per process start. With several
worker processes a shared Redis (``SURVEY_REDIS_URL``) holds the counts, keyed by an HMAC under the
service's secret key (so every worker counts the same address alike) and expiring with their window;
run that Redis without persistence.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

_SALT = secrets.token_bytes(16)


def anonymise(key: str) -> str:
    """A salted digest of ``key`` (e.g. a client address): usable as a counter key, useless to anyone else."""
    return hashlib.blake2b(key.encode(), key=_SALT, digest_size=16).hexdigest()


class RateLimiter(Protocol):
    async def hit(self, key: str) -> bool:
        """Count one event for ``key``; False when the key is over its limit (the event is not counted)."""
        ...

    async def recent(self, key: str) -> tuple[int, float]:
        """How many events ``key`` has in the window, and seconds since its latest (inf when none); counts nothing."""
        ...

    async def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    """At most ``limit`` events per ``window`` seconds per key, in this process's memory."""

    def __init__(self, limit: int, window: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    async def hit(self, key: str) -> bool:
        key = anonymise(key)
        now = time.monotonic()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._evict(now)
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    async def recent(self, key: str) -> tuple[int, float]:
        now = time.monotonic()
        events = self._events.get(anonymise(key))
        if not events:
            return 0, float("inf")
        while events and events[0] <= now - self.window:
            events.popleft()
        return len(events), (now - events[-1]) if events else float("inf")

    async def reset(self, key: str) -> None:
        self._events.pop(anonymise(key), None)

    def _evict(self, now: float) -> None:
        stale = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]
        for k in stale:
            del self._events[k]
        while len(self._events) >= self.max_keys:
            self._events.pop(next(iter(self._events)))


# Sliding window in one atomic step: drop events older than the window, refuse when full, else record.
_HIT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return 1
"""


class RedisRateLimiter:
    """The same limit shared by every worker through Redis (counts expire with their window)."""

    def __init__(self, client: Any, name: str, limit: int, window: float, secret: str) -> None:
        self.client = client
        self.limit = limit
        self.window = window
        self._prefix = f"survey:rl:{name}:"
        self._secret = secret.encode()
        self._script = client.register_script(_HIT)

    def _key(self, key: str) -> str:
        return self._prefix + hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()[:32]

    async def hit(self, key: str) -> bool:
        now = time.time()
        ok = await self._script(keys=[self._key(key)], args=[now, self.window, self.limit, secrets.token_hex(8)])
        return bool(ok)

    async def recent(self, key: str) -> tuple[int, float]:
        now = time.time()
        name = self._key(key)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now - self.window)
            pipe.zcard(name)
            pipe.zrange(name, -1, -1, withscores=True)
            _, count, latest = await pipe.execute()
        return int(count), (now - float(latest[0][1])) if latest else float("inf")

    async def reset(self, key: str) -> None:
        await self.client.delete(self._key(key))


LimiterFactory = Callable[[str, int, float], RateLimiter]


def limiter_factory(redis_url: str | None, secret: str) -> LimiterFactory:
    """Makes limiters: in memory, or in Redis when ``redis_url`` is set (several workers share counts)."""
    if not redis_url:
        return lambda _name, limit, window: MemoryRateLimiter(limit, window)
    import redis.asyncio as redis

    client = redis.Redis.from_url(redis_url)
    return lambda name, limit, window: RedisRateLimiter(client, name, limit, window, secret)
