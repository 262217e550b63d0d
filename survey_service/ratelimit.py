"""Rate limits kept in memory only (never stored): requests per key in a sliding time window.

Keys that identify a person (an address) are hashed with a per-process random salt before use, so not
even the process memory holds addresses in the clear. ``RateLimiter`` is the interface; a shared
backend (Redis, for several workers) can implement the same two methods.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from typing import Protocol

_SALT = secrets.token_bytes(16)


def anonymise(key: str) -> str:
    """A salted digest of ``key`` (e.g. a client address): usable as a counter key, useless to anyone else."""
    return hashlib.blake2b(key.encode(), key=_SALT, digest_size=16).hexdigest()


class RateLimiter(Protocol):
    async def hit(self, key: str) -> bool:
        """Count one event for ``key``; False when the key is over its limit (the event is not counted)."""
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

    async def reset(self, key: str) -> None:
        self._events.pop(key, None)

    def _evict(self, now: float) -> None:
        stale = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]
        for k in stale:
            del self._events[k]
        while len(self._events) >= self.max_keys:
            self._events.pop(next(iter(self._events)))
