"""Dependencies and per-app state of the auth area: the login throttle."""

from __future__ import annotations

from typing import Any

from litestar import Request

from survey_service.ratelimit import LimiterFactory, MemoryRateLimiter, RateLimiter

LOGIN_WINDOW_SECONDS = 15 * 60
# Failed sign-ins per (username, address) pair before each further try must wait; the wait doubles with
# every failure (2 s, 4 s, 8 s, … up to the window).
FREE_FAILURES = 3
LOGIN_FAILURES_PER_PAIR = 100
# Failures from one address over all usernames (password spraying); successful sign-ins never count.
LOGIN_FAILURES_PER_ADDRESS = 100


def delay_after(failures: int) -> float:
    """Seconds a (username, address) pair waits after ``failures`` failed sign-ins in the window."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(2 ** (failures - FREE_FAILURES + 1), LOGIN_WINDOW_SECONDS))


class LoginThrottle:
    """Failed sign-ins per (username, client address) pair with progressive delays, and per address.

    Only failures count, so nobody can lock an account by guessing from elsewhere and an office behind one
    address is never locked out by its own successful sign-ins; a success clears its pair's count. Counts
    are kept in memory per process, or shared by every worker through Redis (``SURVEY_REDIS_URL``).
    """

    def __init__(
        self,
        per_pair: RateLimiter | None = None,
        per_address: RateLimiter | None = None,
        *,
        limiters: LimiterFactory | None = None,
    ) -> None:
        make = limiters or (lambda _name, limit, window: MemoryRateLimiter(limit, window))
        self.per_pair = per_pair or make("login-pair", LOGIN_FAILURES_PER_PAIR, LOGIN_WINDOW_SECONDS)
        self.per_address = per_address or make("login-address", LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_SECONDS)

    @staticmethod
    def keys(request: Request[Any, Any, Any], username: str) -> tuple[str, str]:
        """The counters' keys; the limiters pseudonymise them before keeping anything."""
        address = request.client.host if request.client else "unknown"
        return f"pair:{username}\x00{address}", "addr:" + address

    async def wait(self, request: Request[Any, Any, Any], username: str) -> float:
        """Seconds before this pair may try again (0: now); counts nothing."""
        pair_key, address_key = self.keys(request, username)
        failures, since = await self.per_pair.recent(pair_key)
        address_failures, _ = await self.per_address.recent(address_key)
        if address_failures >= LOGIN_FAILURES_PER_ADDRESS or failures >= LOGIN_FAILURES_PER_PAIR:
            return float(LOGIN_WINDOW_SECONDS)
        return max(0.0, delay_after(failures) - since)

    async def failed(self, request: Request[Any, Any, Any], username: str) -> None:
        pair_key, address_key = self.keys(request, username)
        await self.per_pair.hit(pair_key)
        await self.per_address.hit(address_key)

    async def succeeded(self, request: Request[Any, Any, Any], username: str) -> None:
        await self.per_pair.reset(self.keys(request, username)[0])


def provide_login_throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle
