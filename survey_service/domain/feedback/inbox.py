"""The staff inbox pages of resident feedback: filter, read, assign, tag, note, reply, redact, close.

Forms post back to the case page, which is shown again with a notice or the problem. Every form carries
the CSRF token; every route needs ``feedback:handle``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import StaffUser
from survey_service.db.models.feedback_case import Kind, Status, Topic
from survey_service.domain.auth.permissions import allows
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.feedback import services
from survey_service.domain.feedback.deps import provide_outbox, send_reply
from survey_service.domain.feedback.outbox import Outbox
from survey_service.domain.feedback.pages import KIND_LABELS, TOPIC_LABELS
from survey_service.domain.feedback.schemas import FeedbackCase
from survey_service.errors import DomainError
from survey_service.languages import SUPPORTED, endonym
from survey_service.personal_data import DataKind
from survey_service.web.forms import N_, Errors, form_fields, page_errors
from survey_service.web.i18n import gettext as _
from survey_service.web.i18n import ngettext
from survey_service.web.staff import page

PERMISSION = services.HANDLE
# Staff pages are in English for now (see web/staff.py); topic and kind are named as residents see them.
STATUS_LABELS = {
    Status.NEW: "New",
    Status.IN_PROGRESS: "In progress",
    Status.ANSWERED: "Answered",
    Status.CLOSED: "Closed",
}
DATA_LABELS = {
    DataKind.NAME: N_("name after a greeting"),
    DataKind.PHONE: N_("phone number"),
    DataKind.EMAIL: N_("email address"),
    DataKind.IDENTITY_CODE: N_("personal identity code"),
}
FILTERS = (
    ("status", N_("Status")),
    ("topic", N_("Topic")),
    ("kind", N_("Kind")),
    ("language", N_("Language")),
    ("assignee", N_("Assigned to")),
)
INBOX_LIMIT = 200
Req = Request[Any, Any, Any]


def _enum_or_none(kind: type[Status] | type[Topic] | type[Kind], value: str | None) -> Any:
    return kind(value) if value in {m.value for m in kind} else None


def _segments(view: FeedbackCase) -> list[tuple[str, str | None]]:
    """The text cut into (piece, kind of personal data or None), for highlighting."""
    text = view.text or ""
    out: list[tuple[str, str | None]] = []
    position = 0
    for span in view.personal_data:
        out += [(text[position : span.start], None), (text[span.start : span.end], span.kind.value)]
        position = span.end
    out.append((text[position:], None))
    return [(piece, kind) for piece, kind in out if piece]


async def _handlers(db: Database) -> list[str]:
    """Usernames of active staff who may handle feedback (whom a case can be assigned to)."""
    async with db.read() as session:
        users = await session.scalars(select(StaffUser).where(StaffUser.active).order_by(StaffUser.username))
        return [u.username for u in users if allows(u.role, PERMISSION)]


class FeedbackInboxPages(Controller):
    path = "/staff/feedback"
    include_in_schema = False
    opt = {"access": PERMISSION}  # noqa: RUF012 - Litestar reads it as a class attribute
    dependencies = {"feedback_outbox": Provide(provide_outbox, sync_to_thread=False)}  # noqa: RUF012

    @get("/")
    async def inbox(
        self,
        request: Req,
        db: NamedDependency[Database],
        status: FromQuery[str | None] = None,
        topic: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        language: FromQuery[str | None] = None,
        assignee: FromQuery[str | None] = None,
    ) -> Template:
        filters = {
            "status": _enum_or_none(Status, status),
            "topic": _enum_or_none(Topic, topic),
            "kind": _enum_or_none(Kind, kind),
            "language": language if language in SUPPORTED else None,
            "assignee": assignee or None,
        }
        async with db.read() as session:
            cases = await services.list_cases(session, limit=INBOX_LIMIT, **filters)
        labels = self._labels()
        choices = {
            "status": list(STATUS_LABELS.items()),
            "topic": list(TOPIC_LABELS.items()),
            "kind": list(KIND_LABELS.items()),
            "language": list(labels["languages"].items()),
            "assignee": [(u, u) for u in await _handlers(db)],
        }
        return page(
            request,
            "staff/feedback_inbox.html",
            title=_("Feedback"),
            cases=cases,
            filter_fields=FILTERS,
            choices=choices,
            filters={k: str(v) if v is not None else "" for k, v in filters.items()},
            **labels,
        )

    @staticmethod
    def _labels() -> dict[str, Any]:
        return {
            "topic_labels": TOPIC_LABELS,
            "kind_labels": KIND_LABELS,
            "status_labels": STATUS_LABELS,
            "data_labels": DATA_LABELS,
            "languages": {code: endonym(code) for code in SUPPORTED},
        }

    async def _case(
        self, request: Req, db: Database, case_id: uuid.UUID, errors: Errors | None = None, **kw: Any
    ) -> Template:
        async with db.read() as session:
            view = await services.case_view(session, await services.get_case(session, case_id))
        found = Counter(span.kind for span in view.personal_data)
        return page(
            request,
            "staff/feedback_case.html",
            title=_("Feedback case"),
            case=view,
            segments=_segments(view),
            found=[(DATA_LABELS[k], n) for k, n in sorted(found.items())],
            handlers=await _handlers(db),
            errors=errors or [],
            status_code=400 if errors else 200,
            **self._labels(),
            **kw,
        )

    @get("/{case_id:uuid}")
    async def case(self, request: Req, db: NamedDependency[Database], case_id: FromPath[uuid.UUID]) -> Template:
        return await self._case(request, db, case_id)

    @post("/{case_id:uuid}/status")
    async def status(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], case_id: FromPath[uuid.UUID]
    ) -> Template:
        fields = await form_fields(request)
        new = _enum_or_none(Status, fields.get("status"))
        if new is None:
            return await self._case(request, db, case_id, [("status", _("Choose a status."))])
        try:
            async with db.write() as session:
                await services.set_status(session, await services.get_case(session, case_id), new, actor_of(staff))
        except DomainError as exc:
            return await self._case(request, db, case_id, page_errors(exc))
        return await self._case(request, db, case_id, notice=_("Status changed."))

    @post("/{case_id:uuid}/assignee")
    async def assignee(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], case_id: FromPath[uuid.UUID]
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                case = await services.get_case(session, case_id)
                await services.assign(session, case, fields.get("assignee") or None, actor_of(staff))
        except DomainError as exc:
            return await self._case(request, db, case_id, page_errors(exc))
        return await self._case(request, db, case_id, notice=_("Assignment changed."))

    @post("/{case_id:uuid}/tags")
    async def save_tags(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], case_id: FromPath[uuid.UUID]
    ) -> Template:
        fields = await form_fields(request)
        tags = [t for t in fields.get("tags", "").split(",") if t.strip()]
        try:
            async with db.write() as session:
                await services.set_tags(session, await services.get_case(session, case_id), tags, actor_of(staff))
        except DomainError as exc:
            return await self._case(request, db, case_id, [("tags", e) for _item, e in page_errors(exc)])
        return await self._case(request, db, case_id, notice=_("Tags saved."))

    @post("/{case_id:uuid}/notes")
    async def note(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], case_id: FromPath[uuid.UUID]
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                case = await services.get_case(session, case_id)
                await services.add_note(session, case, fields.get("note", ""), actor_of(staff))
        except DomainError as exc:
            return await self._case(request, db, case_id, [("note", e) for _item, e in page_errors(exc)])
        return await self._case(request, db, case_id, notice=_("Note added."))

    @post("/{case_id:uuid}/reply")
    async def reply(
        self,
        request: Req,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        feedback_outbox: NamedDependency[Outbox],
        case_id: FromPath[uuid.UUID],
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                case = await services.get_case(session, case_id)
                outgoing = await services.reply(session, case, fields.get("reply", ""), actor_of(staff))
        except DomainError as exc:
            return await self._case(request, db, case_id, [("reply", e) for _item, e in page_errors(exc)])
        notice = await send_reply(feedback_outbox, outgoing)
        return await self._case(request, db, case_id, notice=notice)

    @post("/{case_id:uuid}/redaction")
    async def redaction(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], case_id: FromPath[uuid.UUID]
    ) -> Template:
        async with db.write() as session:
            case = await services.get_case(session, case_id)
            removed = await services.redact_case(session, case, actor_of(staff))
        total = sum(removed.values())
        notice = (
            ngettext("%(num)d item of personal data replaced.", "%(num)d items of personal data replaced.", total)
            % {"num": total}
            if total
            else _("Nothing to replace.")
        )
        return await self._case(request, db, case_id, notice=notice)
