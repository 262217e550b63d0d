"""Dependencies of the feedback routes: rate limits per client address, and the reply outbox."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.datastructures import State

from survey_service.domain.feedback.outbox import Outbox, OutgoingReply
from survey_service.errors import TooManyRequests
from survey_service.ratelimit import LimiterFactory, MemoryRateLimiter, RateLimiter
from survey_service.settings import Settings
from survey_service.web.i18n import gettext as _

log = logging.getLogger("survey_service.feedback")
HOUR = 3600.0
# Status look-ups are cheap and a resident may check often; guessing an 80-bit code is hopeless anyway.
LOOKUPS_PER_SUBMISSION = 10
# The longest message (5,000 characters) percent-encoded from a form takes under 64 KiB.
MAX_BODY_BYTES = 64 * 1024


class FeedbackLimits:
    """Per-address limits on sending feedback and on reading receipts (in memory, or shared through Redis)."""

    def __init__(self, settings: Settings, limiters: LimiterFactory | None = None) -> None:
        make = limiters or (lambda _name, limit, window: MemoryRateLimiter(limit, window))
        self.submissions: RateLimiter = make("feedback", settings.feedback_rate_limit, HOUR)
        self.lookups: RateLimiter = make("receipts", settings.feedback_rate_limit * LOOKUPS_PER_SUBMISSION, HOUR)

    @staticmethod
    async def check(limiter: RateLimiter, request: Request[Any, Any, Any]) -> None:
        """Count one request from the client's address (the limiter pseudonymises it); 429 when over the limit."""
        address = request.client.host if request.client else "unknown"
        if not await limiter.hit(address):
            raise TooManyRequests("too many requests from this address; please try again later")


def provide_feedback_limits(state: State) -> FeedbackLimits:
    limits: FeedbackLimits = state.feedback_limits
    return limits


def provide_outbox(state: State) -> Outbox:
    outbox: Outbox = state.feedback_outbox
    return outbox


async def send_reply(outbox: Outbox, reply: OutgoingReply | None) -> str:
    """Hand a stored reply to the outbox (after its transaction has committed); a notice for staff.

    A failed delivery is logged with the case id and the error type only — never the address or text —
    and the reply stays readable with the receipt code.
    """
    if reply is None:
        return _("Reply saved. No contact was given: the resident reads it with the receipt code.")
    try:
        await outbox.send(reply)
    except Exception as exc:  # any delivery failure: the reply itself is stored
        log.error("delivering the reply to feedback case %s failed (%s)", reply.case_id, type(exc).__name__)
        return _("Reply saved, but sending it failed; the resident can still read it with the receipt code.")
    return _("Reply saved and sent by %(channel)s.") % {"channel": reply.channel}
