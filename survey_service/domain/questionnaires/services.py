"""Storing questionnaire definitions as versions: drafts can change, published versions never do."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.models import Questionnaire as QuestionnaireRow
from survey_service.db.models import QuestionnaireVersion
from survey_service.errors import Conflict, NotFound
from survey_service.questionnaire.loader import DEFINITION_FILE
from survey_service.questionnaire.schema import Questionnaire, canonical_json


def content_hash(q: Questionnaire) -> str:
    """SHA-256 of the canonical JSON: equal definitions have equal hashes."""
    return hashlib.sha256(canonical_json(q)).hexdigest()


def definition_of(version: QuestionnaireVersion) -> Questionnaire:
    """The stored snapshot as a ``Questionnaire``."""
    return msgspec.convert(version.definition, Questionnaire)


@dataclass(frozen=True, slots=True)
class Stored:
    version: QuestionnaireVersion
    outcome: str  # "created" | "updated draft" | "published" | "unchanged"


async def latest_version(session: AsyncSession, slug: str) -> QuestionnaireVersion | None:
    stmt = (
        select(QuestionnaireVersion)
        .join(QuestionnaireRow)
        .where(QuestionnaireRow.slug == slug)
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def get_version(session: AsyncSession, slug: str, number: int | None = None) -> QuestionnaireVersion:
    """A version by number, or the latest published one; ``NotFound`` names what is missing."""
    stmt = select(QuestionnaireVersion).join(QuestionnaireRow).where(QuestionnaireRow.slug == slug)
    if number is None:
        stmt = stmt.where(QuestionnaireVersion.status == "published").order_by(QuestionnaireVersion.number.desc())
    else:
        stmt = stmt.where(QuestionnaireVersion.number == number)
    version = (await session.scalars(stmt.limit(1))).first()
    if version is None:
        what = f"version {number}" if number is not None else "a published version"
        raise NotFound(f"questionnaire {slug!r} has no {what}")
    return version


async def store(session: AsyncSession, q: Questionnaire, *, publish: bool, note: str | None = None) -> Stored:
    """Store a definition as the questionnaire's next version.

    Identical to the latest version: nothing changes (publishing it if asked). The latest is a draft: the
    draft is replaced. The latest is published: a new version is created, the old one stays untouched.
    """
    digest = content_hash(q)
    row = (await session.scalars(select(QuestionnaireRow).where(QuestionnaireRow.slug == q.slug))).first()
    if row is None:
        row = QuestionnaireRow(slug=q.slug)
        session.add(row)
        await session.flush()
    latest = await latest_version(session, q.slug)
    status = "published" if publish else "draft"
    now = utcnow()
    if latest is not None and latest.content_hash == digest:
        if publish and latest.status == "draft":
            latest.status, latest.published_at = "published", now
            return Stored(latest, "published")
        return Stored(latest, "unchanged")
    definition = msgspec.json.decode(canonical_json(q))
    if latest is not None and latest.status == "draft":
        latest.definition, latest.content_hash, latest.note = definition, digest, note
        if publish:
            latest.status, latest.published_at = "published", now
        return Stored(latest, "updated draft")
    number = (latest.number if latest else 0) + 1
    version = QuestionnaireVersion(
        questionnaire_id=row.id,
        number=number,
        status=status,
        definition=definition,
        content_hash=digest,
        note=note,
        published_at=now if publish else None,
    )
    session.add(version)
    await session.flush()
    return Stored(version, "created")


async def publish(session: AsyncSession, slug: str, number: int) -> QuestionnaireVersion:
    version = await get_version(session, slug, number)
    if version.status == "published":
        raise Conflict(f"questionnaire {slug!r} version {number} is already published")
    version.status, version.published_at = "published", utcnow()
    return version


def shipped_folders(root: Path) -> list[Path]:
    """Questionnaire folders under ``root`` (each holds a questionnaire.yaml)."""
    return sorted(p.parent for p in Path(root).glob(f"*/{DEFINITION_FILE}"))
