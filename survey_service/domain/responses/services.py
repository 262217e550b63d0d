"""The write paths of responses: one short transaction each, Core statements only.

``submit`` is the one way a complete response is stored (JSON API, pages, and staff entering paper and
interview answers): it claims the idempotency key, marks the invitation completed with a conditional
UPDATE (so one token gives at most one response, on SQLite and PostgreSQL, however many requests race),
removes the partial response it finishes, and inserts the response. In anonymous surveys nothing stored
links the response to the invitation: the response gets a fresh id, no invitation id and dates only.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Executable, Integer, Table, bindparam, column, delete, insert, select, update, values
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import today
from survey_service.db.engine import Database
from survey_service.db.models import IdempotencyKey, Invitation, QuestionnaireVersion, Response, Survey
from survey_service.domain.audit.services import Actor, count_today
from survey_service.errors import BadRequest, Conflict, Forbidden, ItemError, NotFound, Unprocessable
from survey_service.languages import ordered
from survey_service.questionnaire.answers import CompiledQuestionnaire, compiled

MAX_IDEMPOTENCY_KEY = 255
_VERSIONS: OrderedDict[uuid.UUID, CompiledQuestionnaire] = OrderedDict()
_VERSIONS_MAX = 64


@dataclass(frozen=True, slots=True)
class SurveyContext:
    """What answering a wave needs, read with one small query (the definition only on a cache miss)."""

    id: uuid.UUID
    slug: str
    title: dict[str, str]
    access: str
    anonymous: bool
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    version_id: uuid.UUID
    questionnaire: CompiledQuestionnaire

    @property
    def languages(self) -> list[str]:
        return ordered(self.questionnaire.definition.languages)

    def is_open(self, now: datetime) -> bool:
        if self.status != "open":
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


CONTEXT_TTL_SECONDS = 2.0


async def survey_context(db: Database, slug: str) -> SurveyContext:
    """The wave ``slug`` with its compiled questionnaire, read at most every ``CONTEXT_TTL_SECONDS``.

    Answering a wave needs its status, dates and questionnaire on every request; keeping them in memory
    for a moment spares a database round trip per request. A closed or reopened wave takes effect within
    that moment (``is_open`` is still checked against the current time on every request).
    """
    now = time.monotonic()
    key = ("survey_context", slug)
    hit = db.cache.get(key)
    if hit is not None and now - hit[0] < CONTEXT_TTL_SECONDS:
        return hit[1]
    refreshing: set[Any] = db.cache.setdefault("refreshing", set())
    if hit is not None and key in refreshing:
        # One request rereads the wave; the others keep using what was read a moment ago meanwhile (all of
        # them reading at once when the time is up stalls every request for up to a second under load).
        return hit[1]
    refreshing.add(key)
    try:
        async with db.read() as session:
            context = await _read_context(session, slug)
    finally:
        refreshing.discard(key)
    if len(db.cache) > 10_000:
        db.cache.clear()
    db.cache[key] = (now, context)
    return context


async def _read_context(session: AsyncSession, slug: str) -> SurveyContext:
    row = (
        await session.execute(
            select(
                Survey.id,
                Survey.slug,
                Survey.title,
                Survey.access,
                Survey.anonymous,
                Survey.status,
                Survey.opens_at,
                Survey.closes_at,
                Survey.questionnaire_version_id,
            ).where(Survey.slug == slug)
        )
    ).first()
    if row is None:
        raise NotFound(f"no survey {slug!r}")
    cq = _VERSIONS.get(row.questionnaire_version_id)
    if cq is None:
        version = (
            await session.execute(
                select(QuestionnaireVersion.content_hash, QuestionnaireVersion.definition).where(
                    QuestionnaireVersion.id == row.questionnaire_version_id
                )
            )
        ).one()
        cq = compiled(version.content_hash, version.definition)
        # Only published versions are fielded, and they never change: caching by version id is safe.
        _VERSIONS[row.questionnaire_version_id] = cq
        if len(_VERSIONS) > _VERSIONS_MAX:
            _VERSIONS.popitem(last=False)
    return SurveyContext(
        id=row.id,
        slug=row.slug,
        title=dict(row.title),
        access=row.access,
        anonymous=row.anonymous,
        status=row.status,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        version_id=row.questionnaire_version_id,
        questionnaire=cq,
    )


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """A client's Idempotency-Key, as stored: a hash of the key and a MAC of the request keyed by the key."""

    key_hash: str
    request_mac: str

    @classmethod
    def of(cls, key: str, request: bytes) -> IdempotencyClaim:
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable():
            raise BadRequest(
                f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters",
                [ItemError("Idempotency-Key", "not a valid key")],
            )
        raw = key.encode()
        return cls(
            key_hash=hashlib.sha256(b"idempotency:" + raw).hexdigest(),
            request_mac=hmac.new(raw, request, hashlib.sha256).hexdigest(),
        )


@dataclass(frozen=True, slots=True)
class Submitted:
    id: uuid.UUID
    replayed: bool = False  # an earlier request with the same Idempotency-Key created it


class AlreadySubmitted(Conflict):
    """The partial response being finished was already submitted (a repeated click, another tab)."""


def used_invitation() -> Conflict:
    return Conflict(
        "this invitation has already been used to answer the survey",
        [ItemError("token", "already used")],
    )


async def submit(
    db: Database,
    survey: SurveyContext,
    *,
    language: str,
    answers: dict[str, Any],
    token_hash: str | None = None,
    invitation_id: uuid.UUID | None = None,
    idempotency: IdempotencyClaim | None = None,
    partial_id: uuid.UUID | None = None,
    started_on: date | None = None,
    mode: str = "web",
    entered_by: Actor | None = None,
) -> Submitted:
    """Store one complete response whose answers ``check(require=True)`` has accepted.

    ``entered_by``: the staff member who typed in a paper or interview response; it is counted in their
    daily ``responses.enter`` audit event (never the answers, never a time of day).
    """
    response_id = uuid.uuid4()
    plain = idempotency is None and token_hash is None and invitation_id is None and partial_id is None
    if plain and entered_by is None:
        # The common case (an open link, nothing to claim or finish): a plain row, inserted with the
        # other rows of its batch in one statement.
        day = today()
        await db.insert_batched(
            Response.__table__,  # type: ignore[arg-type]
            {
                "id": response_id,
                "survey_id": survey.id,
                "questionnaire_version_id": survey.version_id,
                "language": language,
                "mode": mode,
                "status": "complete",
                "answers": answers,
                "started_on": started_on or day,
                "submitted_on": day,
                "invitation_id": None,
                "resume_hash": None,
            },
        )
        return Submitted(response_id)

    async def work(session: AsyncSession) -> Submitted:
        if idempotency is not None:
            earlier = await _claimed(session, survey.id, idempotency)
            if earlier is not None:
                return earlier
            await session.execute(
                insert(IdempotencyKey).values(
                    id=uuid.uuid4(),
                    survey_id=survey.id,
                    key_hash=idempotency.key_hash,
                    request_mac=idempotency.request_mac,
                    response_id=response_id,
                    created_on=today(),
                )
            )
        used_invitation_id = None
        if token_hash is not None or invitation_id is not None:
            used_invitation_id = await _complete_invitation(session, survey.id, token_hash, invitation_id)
        if partial_id is not None:
            removed = await session.execute(
                delete(Response).where(Response.id == partial_id, Response.status == "partial")
            )
            if removed.rowcount != 1:  # type: ignore[attr-defined]
                raise AlreadySubmitted("these answers have already been submitted")
        if entered_by is not None:
            await count_today(session, entered_by, "responses.enter", survey.slug, mode)
        day = today()
        await session.execute(
            insert(Response).values(
                id=response_id,
                survey_id=survey.id,
                questionnaire_version_id=survey.version_id,
                language=language,
                mode=mode,
                status="complete",
                answers=answers,
                started_on=started_on or day,
                submitted_on=day,
                invitation_id=None if survey.anonymous else used_invitation_id,
                resume_hash=None,
            )
        )
        return Submitted(response_id)

    try:
        return await db.batched(work)
    except IntegrityError:
        # Another request with the same Idempotency-Key committed first (PostgreSQL makes this one wait
        # on the unique index, then fail): answer as that request did.
        if idempotency is None:
            raise
        async with db.read() as session:
            earlier = await _claimed(session, survey.id, idempotency)
        if earlier is None:
            raise
        return earlier


async def _claimed(session: AsyncSession, survey_id: uuid.UUID, claim: IdempotencyClaim) -> Submitted | None:
    row = (
        await session.execute(
            select(IdempotencyKey.request_mac, IdempotencyKey.response_id).where(
                IdempotencyKey.survey_id == survey_id, IdempotencyKey.key_hash == claim.key_hash
            )
        )
    ).first()
    if row is None:
        return None
    if not hmac.compare_digest(row.request_mac, claim.request_mac):
        raise Unprocessable(
            "this Idempotency-Key was already used with a different request",
            [ItemError("Idempotency-Key", "already used with a different request")],
        )
    return Submitted(row.response_id, replayed=True)


async def _complete_invitation(
    session: AsyncSession, survey_id: uuid.UUID, token_hash: str | None, invitation_id: uuid.UUID | None
) -> uuid.UUID:
    """Mark the invitation completed, atomically: of racing requests exactly one sees its row updated."""
    which = Invitation.token_hash == token_hash if token_hash is not None else Invitation.id == invitation_id
    done = (
        await session.execute(
            update(Invitation)
            .where(which, Invitation.survey_id == survey_id, Invitation.status != "completed")
            .values(status="completed")
            .returning(Invitation.id)
        )
    ).first()
    if done is not None:
        return done.id
    exists = (await session.execute(select(Invitation.id).where(which, Invitation.survey_id == survey_id))).first()
    if exists is not None:
        raise used_invitation()
    raise Forbidden("the invitation token is not valid for this survey", [ItemError("token", "not valid")])


# -- partial responses (save & resume) ------------------------------------------------------------------


def resume_hash(secret: str) -> str:
    """The stored form of a resume secret (a resume code, or an invitation's token hash)."""
    return hashlib.sha256(b"resume:" + secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Partial:
    id: uuid.UUID
    language: str
    answers: dict[str, Any]
    started_on: date


# The two statements of every page of answers, built once (SQLAlchemy caches their compiled form).
_LOAD_PARTIAL = select(Response.id, Response.language, Response.answers, Response.started_on).where(
    Response.resume_hash == bindparam("key"), Response.survey_id == bindparam("survey_id"), Response.status == "partial"
)
# A Core statement (not ORM-enabled), so that many of them go to the database in one executemany call.
_RESPONSE = cast(Table, Response.__table__)
_SAVE_PARTIAL = (
    update(_RESPONSE)
    .where(
        _RESPONSE.c.resume_hash == bindparam("b_key"),
        _RESPONSE.c.survey_id == bindparam("b_survey_id"),
        _RESPONSE.c.status == "partial",
    )
    .values(answers=bindparam("b_answers"), language=bindparam("b_language"))
)


def _save_partials(many: list[dict[str, Any]]) -> Executable:
    """``_SAVE_PARTIAL`` for many respondents in one statement, returning the index of each one saved."""
    given = values(
        column("n", Integer),
        column("key", _RESPONSE.c.resume_hash.type),
        column("survey_id", _RESPONSE.c.survey_id.type),
        column("answers", _RESPONSE.c.answers.type),
        column("language", _RESPONSE.c.language.type),
        name="given",
    ).data([(i, p["b_key"], p["b_survey_id"], p["b_answers"], p["b_language"]) for i, p in enumerate(many)])
    return (
        update(_RESPONSE)
        .where(
            _RESPONSE.c.resume_hash == given.c.key,
            _RESPONSE.c.survey_id == given.c.survey_id,
            _RESPONSE.c.status == "partial",
        )
        .values(answers=given.c.answers, language=given.c.language)
        .returning(given.c.n)
    )


async def load_partial(db: Database, survey_id: uuid.UUID, secret: str) -> Partial | None:
    row = await db.first(_LOAD_PARTIAL, {"key": resume_hash(secret), "survey_id": survey_id})
    return Partial(row.id, row.language, dict(row.answers), row.started_on) if row else None


async def save_partial(
    db: Database,
    survey: SurveyContext,
    *,
    secret: str,
    language: str,
    answers: dict[str, Any],
    invitation_id: uuid.UUID | None = None,
    exists: bool = False,
) -> None:
    """Keep the answers so far (status partial), creating the partial response on the first save.

    ``exists``: the partial response was there when the request began (then an update usually does)."""
    key = resume_hash(secret)
    params = {"b_key": key, "b_survey_id": survey.id, "b_answers": answers, "b_language": language}
    if exists and await db.update_batched(_SAVE_PARTIAL, params, _save_partials):
        return

    async def work(session: AsyncSession) -> None:
        updated = await session.execute(_SAVE_PARTIAL, params)
        if updated.rowcount == 1:  # type: ignore[attr-defined]
            return
        if invitation_id is not None:
            state = (
                await session.execute(
                    update(Invitation)
                    .where(Invitation.id == invitation_id, Invitation.status != "completed")
                    .values(status="started")
                    .returning(Invitation.id)
                )
            ).first()
            if state is None:
                raise used_invitation()
        await session.execute(
            insert(Response).values(
                id=uuid.uuid4(),
                survey_id=survey.id,
                questionnaire_version_id=survey.version_id,
                language=language,
                mode="web",
                status="partial",
                answers=answers,
                started_on=today(),
                submitted_on=None,
                invitation_id=None if survey.anonymous else invitation_id,
                resume_hash=key,
            )
        )

    await db.batched(work)
