"""Questionnaire versions: storing definitions (drafts can change, published versions never do), importing
files, publishing, new drafts from old versions, and translator files merged back into drafts."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.models import Questionnaire as QuestionnaireRow
from survey_service.db.models import QuestionnaireVersion, Survey
from survey_service.domain.audit.services import Actor, record
from survey_service.errors import Conflict, ItemError, NotFound, Unprocessable
from survey_service.questionnaire import translations
from survey_service.questionnaire.loader import DEFINITION_FILE, DefinitionError, Problem, decode, parse_yaml
from survey_service.questionnaire.schema import Questionnaire, canonical_json
from survey_service.questionnaire.validate import validate
from survey_service.questionnaire.xlsform import ImportSummary, from_xlsform, read_xlsform

# Version numbers are stored as 32-bit integers; larger ones (from a URL, say) cannot exist.
MAX_VERSION_NUMBER = 2**31 - 1


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
    if number is not None and not 1 <= number <= MAX_VERSION_NUMBER:
        raise NotFound(f"questionnaire {slug!r} has no version {number}")
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


def require_complete(q: Questionnaire) -> None:
    """Publishing needs every string in every declared language: ``Unprocessable`` names what is missing."""
    problems = validate(q)
    if problems:
        raise Unprocessable(
            f"the definition cannot be published: {len(problems)} problem(s), e.g. {problems[0]}",
            [ItemError(f"{p.location}: {p.field}" if p.field else p.location, p.message) for p in problems],
        )


async def store(
    session: AsyncSession,
    q: Questionnaire,
    *,
    publish: bool,
    note: str | None = None,
    actor: Actor | None = None,
    confirmed: dict[str, set[str]] | None = None,
    stale: dict[str, set[str]] | None = None,
) -> Stored:
    """Store a definition as the questionnaire's next version.

    Identical to the latest version: nothing changes (publishing it if asked). The latest is a draft: the
    draft is replaced. The latest is published: a new version is created, the old one stays untouched.
    Outdated translations are tracked against the latest version (``translations.track``).
    """
    latest = await latest_version(session, q.slug)
    q = translations.track(q, definition_of(latest) if latest else None, confirmed=confirmed, stale=stale)
    if publish:
        require_complete(q)
    digest = content_hash(q)
    row = (await session.scalars(select(QuestionnaireRow).where(QuestionnaireRow.slug == q.slug))).first()
    if row is None:
        row = QuestionnaireRow(slug=q.slug)
        session.add(row)
        await session.flush()
    status = "published" if publish else "draft"
    now = utcnow()
    if latest is not None and latest.content_hash == digest:
        if publish and latest.status == "draft":
            latest.status, latest.published_at = "published", now
            await _audit(session, actor, "questionnaire.publish", latest, q.slug)
            return Stored(latest, "published")
        return Stored(latest, "unchanged")
    definition = msgspec.json.decode(canonical_json(q))
    if latest is not None and latest.status == "draft":
        latest.definition, latest.content_hash, latest.note = definition, digest, note
        if publish:
            latest.status, latest.published_at = "published", now
        await _audit(session, actor, "questionnaire.import", latest, q.slug, {"outcome": "updated draft"})
        if publish:
            await _audit(session, actor, "questionnaire.publish", latest, q.slug)
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
    await _audit(session, actor, "questionnaire.import", version, q.slug, {"outcome": "created", "status": status})
    if publish:
        await _audit(session, actor, "questionnaire.publish", version, q.slug)
    return Stored(version, "created")


async def _audit(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    version: QuestionnaireVersion,
    slug: str,
    detail: dict[str, str] | None = None,
) -> None:
    if actor is not None:
        await record(session, actor, action, f"{slug}@{version.number}", detail)


async def publish(session: AsyncSession, slug: str, number: int, actor: Actor | None = None) -> QuestionnaireVersion:
    """Publish a draft (complete in every language): from now on the database refuses to change it."""
    version = await get_version(session, slug, number)
    if version.status == "published":
        raise Conflict(f"questionnaire {slug!r} version {number} is already published")
    require_complete(definition_of(version))
    version.status, version.published_at = "published", utcnow()
    await _audit(session, actor, "questionnaire.publish", version, slug)
    return version


async def new_draft(session: AsyncSession, slug: str, number: int, actor: Actor | None = None) -> QuestionnaireVersion:
    """A new draft version whose definition is a copy of version ``number`` (to be edited and published)."""
    source = await get_version(session, slug, number)
    latest = await latest_version(session, slug)
    assert latest is not None
    if latest.status == "draft":
        raise Conflict(
            f"questionnaire {slug!r} already has a draft (version {latest.number}): edit, publish or delete it first"
        )
    version = QuestionnaireVersion(
        questionnaire_id=source.questionnaire_id,
        number=latest.number + 1,
        status="draft",
        definition=source.definition,
        content_hash=source.content_hash,
        note=f"copy of version {number}",
    )
    session.add(version)
    await session.flush()
    await _audit(session, actor, "questionnaire.new_draft", version, slug, {"from": str(number)})
    return version


async def delete_draft(session: AsyncSession, slug: str, number: int, actor: Actor | None = None) -> None:
    """Delete a draft version (published versions can never be deleted)."""
    version = await get_version(session, slug, number)
    if version.status != "draft":
        raise Conflict(f"questionnaire {slug!r} version {number} is published and can never be deleted")
    await _audit(session, actor, "questionnaire.delete_draft", version, slug)
    await session.delete(version)
    await session.flush()


async def list_questionnaires(session: AsyncSession) -> list[tuple[str, list[QuestionnaireVersion]]]:
    """Every questionnaire with its versions, oldest version first."""
    rows = await session.scalars(select(QuestionnaireRow).order_by(QuestionnaireRow.slug))
    out = []
    for row in rows:
        versions = await session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.questionnaire_id == row.id)
            .order_by(QuestionnaireVersion.number)
        )
        out.append((row.slug, list(versions)))
    return out


async def waves_of(session: AsyncSession, version: QuestionnaireVersion) -> list[str]:
    """Slugs of the survey waves that field a version."""
    return list(await session.scalars(select(Survey.slug).where(Survey.questionnaire_version_id == version.id)))


@dataclass
class Workbook:
    """An uploaded XLSForm workbook with the import page's answers about its languages."""

    data: bytes
    filename: str
    unnamed_language: str | None = None  # the language of plain ``label`` columns
    language_codes: dict[str, str] = field(default_factory=dict)  # language name -> code
    unknown: list[str] = field(default_factory=list)  # language names that still need a code

    @property
    def encoded(self) -> str:
        """The workbook as the import page carries it from its check to its confirmation."""
        return base64.b64encode(self.data).decode()


def is_workbook(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".xlsx") or data[:2] == b"PK"


def read_workbook(workbook: Workbook, *, complete: bool) -> tuple[Questionnaire, ImportSummary]:
    """A workbook read as pyxform reads it, with what was mapped (languages, sections, ignored columns)."""
    return read_xlsform(
        workbook.data,
        workbook.filename,
        complete=complete,
        unnamed_language=workbook.unnamed_language,
        language_codes=workbook.language_codes,
    )


def parse_upload(data: bytes, filename: str, *, complete: bool) -> Questionnaire:
    """An uploaded definition: an XLSForm workbook (.xlsx) or one YAML file with its languages inline."""
    if is_workbook(data, filename):
        return from_xlsform(data, filename, complete=complete)
    raw = parse_yaml(data, filename)
    if not isinstance(raw, dict):
        raise DefinitionError([Problem(filename, "", "", "expected a mapping at the top of the file")])
    q = decode(raw, filename)
    problems = validate(q, filename, complete=complete)
    if problems:
        raise DefinitionError(problems)
    return q


def definition_error(exc: DefinitionError) -> Unprocessable:
    """A file's problems as a 422 whose errors name file, sheet/question, row and column."""
    items = [ItemError(": ".join(x for x in (p.file, p.location, p.field) if x), p.message) for p in exc.problems]
    return Unprocessable(f"{len(items)} problem(s) in the definition: {exc.problems[0]}", items)


async def import_translations(
    session: AsyncSession, slug: str, lang: str, data: bytes, status: str | None, actor: Actor | None = None
) -> tuple[Stored, translations.MergeReport]:
    """Merge a translator file (XLSX or XLIFF) into the latest version, as a draft; nothing is stored on error."""
    latest = await latest_version(session, slug)
    if latest is None:
        raise NotFound(f"no questionnaire {slug!r}")
    try:
        incoming = translations.read_translator_file(data, lang)
        merged, report, confirmed, stale = translations.merge_translations(
            definition_of(latest), lang, incoming, status
        )
    except translations.TranslationFileError as exc:
        raise Unprocessable(
            f"the translation file cannot be used: {exc.problems[0][0]}: {exc.problems[0][1]}",
            [ItemError(where, message) for where, message in exc.problems],
        ) from None
    problems = validate(merged, complete=False)
    if problems:
        raise Unprocessable(
            f"the merged definition is not valid: {problems[0]}",
            [ItemError(f"{p.location}: {p.field}", p.message) for p in problems],
        )
    stored = await store(session, merged, publish=False, note=f"translation {lang}", confirmed=confirmed, stale=stale)
    if actor is not None:
        detail = {"language": lang, "updated": str(report.updated), "missing": str(len(report.missing))}
        await record(session, actor, "questionnaire.translation_import", f"{slug}@{stored.version.number}", detail)
    return stored, report


async def set_language_status(
    session: AsyncSession, slug: str, statuses: dict[str, str], actor: Actor | None = None
) -> Stored:
    """Change languages' translation status (draft/reviewed/approved); the result is a draft version."""
    latest = await latest_version(session, slug)
    if latest is None:
        raise NotFound(f"no questionnaire {slug!r}")
    q = definition_of(latest)
    languages = dict(q.languages)
    for lang, status in statuses.items():
        if lang not in languages:
            raise Unprocessable(f"language {lang!r} is not in questionnaire {slug!r}", [ItemError(lang, "unknown")])
        if status not in {"draft", "reviewed", "approved"}:
            raise Unprocessable(
                f"status must be draft, reviewed or approved, not {status!r}", [ItemError(lang, status)]
            )
        languages[lang] = msgspec.structs.replace(languages[lang], status=status)
    stored = await store(
        session, msgspec.structs.replace(q, languages=languages), publish=False, note="language status"
    )
    if actor is not None and stored.outcome != "unchanged":
        await record(session, actor, "questionnaire.language_status", f"{slug}@{stored.version.number}", dict(statuses))
    return stored


async def confirm_translations(
    session: AsyncSession, slug: str, lang: str, keys: list[str], actor: Actor | None = None
) -> Stored:
    """Mark outdated strings of a language as still right (a translator checked them)."""
    latest = await latest_version(session, slug)
    if latest is None:
        raise NotFound(f"no questionnaire {slug!r}")
    stored = await store(
        session, definition_of(latest), publish=False, note=f"confirmed {lang}", confirmed={lang: set(keys)}
    )
    if actor is not None and stored.outcome != "unchanged":
        await record(
            session, actor, "questionnaire.translation_confirm", f"{slug}@{stored.version.number}", {"language": lang}
        )
    return stored


def shipped_folders(root: Path) -> list[Path]:
    """Questionnaire folders under ``root`` (each holds a questionnaire.yaml)."""
    return sorted(p.parent for p in Path(root).glob(f"*/{DEFINITION_FILE}"))
