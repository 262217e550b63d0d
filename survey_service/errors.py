"""Domain errors and their one mapping to HTTP: RFC 9457 problem details with a per-item ``errors`` list.

Every error body has the shape ``{"type", "title", "status", "detail", "errors": [{"item", "message"}]}``;
``item`` names the field, question code or row the message is about. Unexpected errors never reveal
stack traces, SQL or file paths.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

log = logging.getLogger("survey_service")


class ItemError(msgspec.Struct, frozen=True):
    """One located message: ``item`` is a field name, question code or ``row N``."""

    item: str
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ItemError] = []


class DomainError(Exception):
    """Base of errors the service raises on purpose; subclasses fix the HTTP status."""

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, detail: str, errors: list[ItemError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class BadRequest(DomainError):
    status = HTTPStatus.BAD_REQUEST


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN


class Unprocessable(DomainError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY


class PayloadTooLarge(DomainError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class TooManyRequests(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS


def problem_response(status: int, detail: str, errors: list[ItemError] | None = None) -> Response[Any]:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors or [])
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type="application/problem+json",
    )


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem_response(int(exc.status), exc.detail, exc.errors)


def validation_error_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar's request-decoding errors, in our shape; messages come from msgspec and name the field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [ItemError(item=_item_of(e), message=str(e.get("message", ""))) for e in extra if isinstance(e, dict)]
    detail = errors[0].message if len(errors) == 1 else "The request is not valid."
    return problem_response(400, detail, errors)


def _item_of(error: dict[str, Any]) -> str:
    """The field an error is about; for a body missing or having an extra field, the field named in it."""
    item = str(error.get("key") or error.get("source") or "body")
    if item == "data":
        named = re.search(r"field `([^`]+)`", str(error.get("message", "")))
        item = named.group(1) if named else "body"
    return item


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail if status < 500 else "The service could not complete the request."
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size()
        detail = f"The request body is larger than {limit} bytes, the largest this service accepts."
    return problem_response(status, detail)


def nesting_error_handler(request: Request[Any, Any, Any], _: RecursionError) -> Response[Any]:
    """A body nested deeper than the decoder follows (msgspec stops at its recursion limit): the client's
    mistake, answered 400 and logged in one line, without a traceback."""
    log.warning("refused a too deeply nested body on %s %s", request.method, request.url.path)
    return problem_response(400, "The request body is nested too deeply.")


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Logged with the route only: never the query string (it can hold invitation tokens) or the client.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "The service could not complete the request.")
