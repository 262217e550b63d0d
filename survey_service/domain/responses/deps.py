"""Dependencies of the response routes: per-address rate limits, kept in memory only."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State

from survey_service.errors import TooManyRequests
from survey_service.ratelimit import LimiterFactory, MemoryRateLimiter

# Typing an invitation or resume code: few failed tries per address, so codes cannot be guessed (valid
# links and codes never count: many residents may share one address).
CODE_TRIES = 20
CODE_WINDOW_S = 600.0


class RateLimits:
    """The limits per client address: new open-link responses, and code/token attempts."""

    def __init__(self, responses_per_hour: int, limiters: LimiterFactory | None = None) -> None:
        make = limiters or (lambda _name, limit, window: MemoryRateLimiter(limit, window))
        self.responses = make("responses", responses_per_hour, 3600.0) if responses_per_hour > 0 else None
        self.codes = make("codes", CODE_TRIES, CODE_WINDOW_S)

    async def new_response(self, request: Request[Any, Any, Any]) -> None:
        if self.responses is not None and not await self.responses.hit(_address(request)):
            raise TooManyRequests("too many responses from this address; please try again later")

    async def code_allowed(self, request: Request[Any, Any, Any]) -> bool:
        """Whether this address may try a code or token now (counts nothing)."""
        failures, _ = await self.codes.recent(_address(request))
        return failures < CODE_TRIES

    async def code_failed(self, request: Request[Any, Any, Any]) -> None:
        await self.codes.hit(_address(request))


def _address(request: Request[Any, Any, Any]) -> str:
    # The limiter pseudonymises it: not even memory holds the address in the clear.
    return request.client.host if request.client else "unknown"


def provide_rate_limits(state: State) -> RateLimits:
    limits: RateLimits = state.rate_limits
    return limits
