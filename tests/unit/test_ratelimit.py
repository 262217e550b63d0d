"""In-memory rate limits: a sliding window per key, addresses never kept in the clear."""

from __future__ import annotations

import time

from survey_service.ratelimit import MemoryRateLimiter, anonymise
from tests.helpers import service_missing


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


async def test_workers_share_limits_through_redis_without_keeping_addresses() -> None:
    import os
    import secrets

    import pytest
    import redis.asyncio as redis

    from survey_service.ratelimit import RedisRateLimiter

    url = os.environ.get("SURVEY_TEST_REDIS_URL")
    if not url:
        service_missing("Redis not configured: set SURVEY_TEST_REDIS_URL (CI always does)")
    client = redis.Redis.from_url(url)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as exc:
        pytest.fail(f"SURVEY_TEST_REDIS_URL is set but Redis is unreachable: {exc}", pytrace=False)
    name = "test-" + secrets.token_hex(4)
    worker_a = RedisRateLimiter(client, name, 3, 60, secret="s3cret")
    worker_b = RedisRateLimiter(client, name, 3, 60, secret="s3cret")
    try:
        assert [await worker_a.hit("addr:203.0.113.7"), await worker_b.hit("addr:203.0.113.7")] == [True, True]
        assert await worker_a.hit("addr:203.0.113.7") is True
        assert await worker_b.hit("addr:203.0.113.7") is False  # the third hit was counted by the other worker
        keys = [k.decode() async for k in client.scan_iter(f"survey:rl:{name}:*")]
        assert len(keys) == 1 and "203.0.113.7" not in keys[0]
        assert 0 < await client.pttl(keys[0]) <= 60_000  # counts expire with their window
        count, since = await worker_b.recent("addr:203.0.113.7")  # e.g. sign-in failures and their latest
        assert count == 3 and 0 <= since < 5
        await worker_b.reset("addr:203.0.113.7")
        assert await worker_a.recent("addr:203.0.113.7") == (0, float("inf"))
        assert await worker_a.hit("addr:203.0.113.7") is True
    finally:
        for k in [k async for k in client.scan_iter(f"survey:rl:{name}:*")]:
            await client.delete(k)
        await client.aclose()


def test_limiters_come_from_redis_only_when_it_is_configured() -> None:
    from survey_service.ratelimit import RedisRateLimiter, limiter_factory

    assert isinstance(limiter_factory(None, "s")("x", 1, 1.0), MemoryRateLimiter)
    assert isinstance(limiter_factory("redis://127.0.0.1:6379/15", "s")("x", 1, 1.0), RedisRateLimiter)


async def test_sign_in_failures_of_a_pair_wait_longer_each_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from survey_service import ratelimit
    from survey_service.domain.auth.deps import LOGIN_WINDOW_SECONDS, LoginThrottle, delay_after

    clock = [1000.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=lambda: clock[0], time=lambda: clock[0]))
    assert [delay_after(n) for n in range(7)] == [0, 0, 0, 2, 4, 8, 16]
    assert delay_after(50) == LOGIN_WINDOW_SECONDS
    throttle = LoginThrottle()
    request = SimpleNamespace(client=SimpleNamespace(host="198.51.100.7"))
    waits = []
    for _ in range(6):
        await throttle.failed(request, "anna")  # type: ignore[arg-type]
        waits.append(await throttle.wait(request, "anna"))  # type: ignore[arg-type]
        clock[0] += waits[-1]
    assert waits == [0, 0, 2, 4, 8, 16]
    assert await throttle.wait(request, "bertil") == 0  # type: ignore[arg-type]
    await throttle.succeeded(request, "anna")  # type: ignore[arg-type]
    assert await throttle.wait(request, "anna") == 0  # type: ignore[arg-type]
