"""The yardstick for benchmarks/submit.py: a bare Litestar app with one msgspec POST and one HTML GET.

It does what the framework must do for a submission (route, decode and type-check a ~30-answer JSON
body with msgspec, answer 201 with an id) and nothing else: no database, no checks, no middleware.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import msgspec
from litestar import Litestar, MediaType, get, post


class Submission(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    language: str
    answers: dict[str, Any]
    token: str | None = None


class Created(msgspec.Struct):
    id: str


# A page of the same size as the app's questionnaire page, set by the benchmark through the environment.
PAGE = "<!doctype html><html><body>" + "x" * int(os.environ.get("BARE_PAGE_BYTES", "8000")) + "</body></html>"


@post("/submit", status_code=201)
async def submit(data: Submission) -> Created:
    return Created(id=str(uuid.uuid4()))


@get("/page", media_type=MediaType.HTML)
async def page() -> str:
    return PAGE


app = Litestar(route_handlers=[submit, page], openapi_config=None, debug=False)
