"""Delivering staff replies to residents who left a contact: a small interface with a logging default.

A deployment plugs in its own delivery (the municipality's mail or SMS gateway) with
``SURVEY_FEEDBACK_OUTBOX=package.module:factory``, where ``factory(settings)`` returns an ``Outbox``.
The default only logs that a reply is waiting — never the address, the number or the text.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from typing import Protocol, runtime_checkable

import msgspec

from survey_service.settings import Settings

log = logging.getLogger("survey_service.feedback")


class OutgoingReply(msgspec.Struct, frozen=True, kw_only=True):
    """A reply to deliver: ``channel`` is ``email`` or ``phone`` and ``address`` the resident's contact."""

    case_id: uuid.UUID
    channel: str
    address: str
    language: str
    text: str


@runtime_checkable  # Litestar checks injected dependencies against their declared type
class Outbox(Protocol):
    async def send(self, reply: OutgoingReply) -> None:
        """Deliver (or queue) one reply; raise to report that it could not be accepted."""
        ...


class LoggingOutbox:
    """Development delivery: records that a reply would go out, without any contact details or text."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, reply: OutgoingReply) -> None:
        self.sent += 1
        log.info("feedback reply for case %s would be delivered by %s", reply.case_id, reply.channel)


def make_outbox(settings: Settings) -> Outbox:
    """The outbox named by ``settings.feedback_outbox``: ``log`` or ``module:factory``."""
    spec = settings.feedback_outbox
    if spec == "log":
        return LoggingOutbox()
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"SURVEY_FEEDBACK_OUTBOX must be 'log' or 'module:factory', not {spec!r}")
    factory = getattr(importlib.import_module(module_name), attribute)
    outbox: Outbox = factory(settings)
    return outbox
