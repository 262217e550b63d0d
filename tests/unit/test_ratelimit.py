"""In-memory rate limits: a sliding window per key, addresses never kept in the clear."""

from __future__ import annotations

import time

from survey_service.ratelimit import MemoryRateLimiter, anonymise


async def test_limit_per_key_in_a_window(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    limiter = MemoryRateLimiter(limit=3, window=60)
    assert [await limiter.hit("a") for _ in range(4)] == [True, True, True, False]
    assert await limiter.hit("b")
    clock[0] += 61
    assert await limiter.hit("a")


async def test_reset_clears_a_key() -> None:
    limiter = MemoryRateLimiter(limit=1, window=60)
    assert await limiter.hit("a") and not await limiter.hit("a")
    await limiter.reset("a")
    assert await limiter.hit("a")


async def test_memory_is_bounded() -> None:
    limiter = MemoryRateLimiter(limit=5, window=60, max_keys=10)
    for i in range(50):
        await limiter.hit(str(i))
    assert len(limiter._events) <= 10


def test_addresses_are_anonymised() -> None:
    digest = anonymise("203.0.113.7")
    assert "203.0.113.7" not in digest and digest == anonymise("203.0.113.7") and len(digest) == 32
