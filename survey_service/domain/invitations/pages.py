"""Staff pages of invitations: issue a batch (count, optional strata CSV) and get, in the answer to that
one request, the CSV of tokens, codes and links and the printable letters.

Tokens exist in the clear only while that answer is made (the database keeps hashes), so the page says
plainly that neither the CSV nor the letters can be had again; the page is never cached.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import func, select

from survey_service.db.base import today
from survey_service.db.engine import Database
from survey_service.db.models import Invitation
from survey_service.domain.audit.services import record
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.invitations.letters import letters
from survey_service.domain.invitations.services import create_invitations, invitations_csv, read_strata
from survey_service.domain.questionnaires.deps import MAX_UPLOAD_BYTES
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import BadRequest, DomainError, ItemError, PayloadTooLarge
from survey_service.settings import Settings
from survey_service.web.i18n import gettext as _
from survey_service.web.i18n import ngettext
from survey_service.web.staff import page

# One web request makes at most this many; the command line makes larger batches.
MAX_PER_REQUEST = 10_000
MAX_LETTERS = 1_000
NO_STORE = {"Cache-Control": "no-store"}
Req = Request[Any, Any, Any]


def _count(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_PER_REQUEST:
        message = _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_PER_REQUEST}
        raise BadRequest(message, [ItemError("count", message)])
    return int(text)


async def _strata(form: Any) -> tuple[list[str], list[dict[str, str]] | None]:
    upload = form.get("strata")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return [], None
    data = await upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        message = _("The strata file is too large: at most 5 MB.")
        raise PayloadTooLarge(message, [ItemError("strata", message)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("Save the strata file as CSV in UTF-8 and choose it again.")
        raise BadRequest(message, [ItemError("strata", message)]) from None
    columns, rows = read_strata(text)
    return columns, rows


def _located(error: ItemError) -> tuple[str, str]:
    """(field id, message) for the error summary: problems of a strata file's rows link to the file field."""
    if error.item in {"count", "strata"}:
        return error.item, error.message
    return "strata", f"{error.item}: {error.message}"


class InvitationPages(Controller):
    path = "/staff/surveys/{slug:str}/invitations"
    include_in_schema = False
    opt = {"access": "invitations:write"}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/")
    async def form(self, request: Req, db: NamedDependency[Database], slug: FromPath[str]) -> Template:
        return await self._form(request, db, slug, [], {})

    async def _form(
        self, request: Req, db: Database, slug: str, errors: list[tuple[str, str]], values: dict[str, str]
    ) -> Template:
        async with db.read() as session:
            survey = await get_survey(session, slug)
            issued = await session.scalar(select(func.count()).where(Invitation.survey_id == survey.id))
        return page(
            request,
            "staff/invitations.html",
            title=(_("Error: ") if errors else "") + _("Invitations – %(slug)s") % {"slug": slug},
            status_code=400 if errors else 200,
            wave=survey,
            issued=issued or 0,
            errors=errors,
            values=values,
            max_per_request=MAX_PER_REQUEST,
            max_letters=MAX_LETTERS,
        )

    @post("/", request_max_body_size=MAX_UPLOAD_BYTES + 100_000)
    async def create(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str]
    ) -> Template:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}
        want_letters = values.get("letters") == "yes"
        settings: Settings = request.app.state.settings
        try:
            count = _count(values.get("count", ""))
            columns, rows = await _strata(form)
            if count is None and rows is None:
                message = _("Enter the number of invitations, or choose a strata file.")
                raise BadRequest(message, [ItemError("count", message)])
            n = count if count is not None else len(rows or [])
            if n > MAX_PER_REQUEST:
                message = _("At most %(max)d rows per batch here.") % {"max": MAX_PER_REQUEST}
                raise BadRequest(message, [ItemError("strata", message)])
            if want_letters and n > MAX_LETTERS:
                message = _("Letters: at most %(max)d per batch (or use the command line).") % {"max": MAX_LETTERS}
                raise BadRequest(message, [ItemError("count", message)])
            async with db.write() as session:
                survey = await get_survey(session, slug)
                issued = await create_invitations(session, survey, n, rows)
                await record(
                    session, actor_of(staff), "invitations.create", slug, {"count": n, "letters": want_letters}
                )
        except DomainError as exc:
            errors = [_located(e) for e in exc.errors] or [("", exc.detail)]
            return await self._form(request, db, slug, errors, values)
        # QR codes take a few milliseconds each: made after the commit (not holding the write lock) and
        # off the event loop.
        made = await asyncio.to_thread(letters, survey, issued, settings.public_url) if want_letters else []
        csv_text = invitations_csv(issued, columns, settings.public_url, slug)
        data_url = "data:text/csv;charset=utf-8;base64," + base64.b64encode(("\ufeff" + csv_text).encode()).decode()
        template = page(
            request,
            "staff/invitations_created.html",
            title=ngettext("%(num)d invitation created – %(slug)s", "%(num)d invitations created – %(slug)s", n)
            % {"num": n, "slug": slug},
            status_code=201,
            wave=survey,
            count=n,
            csv_url=data_url,
            csv_name=f"invitations-{slug}-{today().isoformat()}.csv",
            letters=made,
        )
        template.headers.update(NO_STORE)
        return template
