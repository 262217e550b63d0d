"""Dependencies and per-app state of the auth area: the login throttle."""

from __future__ import annotations

from typing import Any

from litestar import Request

from survey_service.ratelimit import MemoryRateLimiter, RateLimiter, anonymise

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_ATTEMPTS_PER_USERNAME = 10
LOGIN_ATTEMPTS_PER_ADDRESS = 30


class LoginThrottle:
    """Sign-in attempts per username and per (anonymised) client address in a sliding window.

    Every attempt counts; a successful sign-in clears its username's count. Kept in memory per process:
    with several workers each has its own count (a shared backend can implement ``RateLimiter``).
    """

    def __init__(
        self,
        per_username: RateLimiter | None = None,
        per_address: RateLimiter | None = None,
    ) -> None:
        self.per_username = per_username or MemoryRateLimiter(LOGIN_ATTEMPTS_PER_USERNAME, LOGIN_WINDOW_SECONDS)
        self.per_address = per_address or MemoryRateLimiter(LOGIN_ATTEMPTS_PER_ADDRESS, LOGIN_WINDOW_SECONDS)

    @staticmethod
    def keys(request: Request[Any, Any, Any], username: str) -> tuple[str, str]:
        address = request.client.host if request.client else "unknown"
        return anonymise("user:" + username), anonymise("addr:" + address)

    async def attempt(self, request: Request[Any, Any, Any], username: str) -> bool:
        """Count an attempt; False when the username or the address is over its limit."""
        user_key, address_key = self.keys(request, username)
        address_ok = await self.per_address.hit(address_key)
        return await self.per_username.hit(user_key) and address_ok

    async def succeeded(self, request: Request[Any, Any, Any], username: str) -> None:
        await self.per_username.reset(self.keys(request, username)[0])


def provide_login_throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle
