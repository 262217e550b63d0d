"""Staff API of questionnaires (bearer tokens only): versions, import, publish, drafts, diff, XLSForm and
translator files."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Response
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.db.models import QuestionnaireVersion
from survey_service.domain.auth.guards import require
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.questionnaires import services
from survey_service.domain.questionnaires.deps import MAX_UPLOAD_BYTES, download, translator_file
from survey_service.domain.questionnaires.schemas import (
    Diff,
    ImportResult,
    QuestionnaireSummary,
    TranslationImportResult,
    VersionDetail,
    VersionSummary,
)
from survey_service.errors import BadRequest
from survey_service.questionnaire import translations
from survey_service.questionnaire.loader import DefinitionError
from survey_service.questionnaire.schema import LanguageCode
from survey_service.questionnaire.xlsform import XLSX_MEDIA_TYPE, to_xlsform

Publish = Annotated[bool, QueryParameter(description="Publish at once (needs questionnaires:publish)")]
FileName = Annotated[str, QueryParameter(description="Name of the file (.xlsx or .yaml)", max_length=200)]
Status = Annotated[
    Literal["draft", "reviewed", "approved"] | None, QueryParameter(description="Set the language's status")
]


def summary(v: QuestionnaireVersion) -> VersionSummary:
    return VersionSummary(
        number=v.number,
        status=v.status,
        content_hash=v.content_hash,
        note=v.note,
        created_at=v.created_at,
        published_at=v.published_at,
    )


def _language(lang: str) -> str:
    try:
        return msgspec.convert(lang, LanguageCode)
    except msgspec.ValidationError:
        raise BadRequest(f"{lang!r} is not a language code") from None


class QuestionnaireController(Controller):
    path = "/api/v1/questionnaires"
    tags = ("questionnaires",)

    @get("/", summary="Questionnaires and their versions", opt={"access": "questionnaires:read"})
    async def list_questionnaires(self, read_session: NamedDependency[AsyncSession]) -> list[QuestionnaireSummary]:
        return [
            QuestionnaireSummary(slug=slug, versions=[summary(v) for v in versions])
            for slug, versions in await services.list_questionnaires(read_session)
        ]

    @post(
        "/import",
        summary="Import a definition (XLSForm .xlsx or YAML in the body) as a draft, or publish it",
        opt={"access": "questionnaires:write"},
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_definition(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        filename: FileName = "definition.yaml",
        publish: Publish = False,
    ) -> ImportResult:
        if publish:
            require(staff, "questionnaires:publish")
        body = await request.body()
        if not body:
            raise BadRequest("send the definition file as the request body")
        try:
            q = services.parse_upload(body, filename, complete=publish)
        except DefinitionError as exc:
            raise services.definition_error(exc) from None
        async with db.write() as session:
            stored = await services.store(
                session, q, publish=publish, note=f"imported {filename}", actor=actor_of(staff)
            )
        v = stored.version
        return ImportResult(slug=q.slug, version=v.number, status=v.status, outcome=stored.outcome)

    @get(
        "/{slug:str}/versions/{number:int}",
        summary="One version with its definition",
        opt={"access": "questionnaires:read"},
    )
    async def version(
        self, read_session: NamedDependency[AsyncSession], slug: FromPath[str], number: FromPath[int]
    ) -> VersionDetail:
        v = await services.get_version(read_session, slug, number)
        return VersionDetail(
            slug=slug, version=summary(v), waves=await services.waves_of(read_session, v), definition=v.definition
        )

    @get(
        "/{slug:str}/versions/{number:int}/xlsform",
        summary="One version as an XLSForm workbook",
        opt={"access": "questionnaires:read"},
        media_type=XLSX_MEDIA_TYPE,
    )
    async def xlsform(
        self, read_session: NamedDependency[AsyncSession], slug: FromPath[str], number: FromPath[int]
    ) -> Response[bytes]:
        v = await services.get_version(read_session, slug, number)
        data = to_xlsform(services.definition_of(v), str(v.number))
        return download(data, f"{slug}-v{v.number}.xlsx", XLSX_MEDIA_TYPE)

    @post(
        "/{slug:str}/versions/{number:int}/publish",
        summary="Publish a draft",
        opt={"access": "questionnaires:publish"},
        status_code=200,
    )
    async def publish(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], number: FromPath[int]
    ) -> VersionSummary:
        async with db.write() as session:
            return summary(await services.publish(session, slug, number, actor_of(staff)))

    @post(
        "/{slug:str}/versions/{number:int}/new-draft",
        summary="Start a new draft from this version",
        opt={"access": "questionnaires:write"},
    )
    async def new_draft(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], number: FromPath[int]
    ) -> VersionSummary:
        async with db.write() as session:
            return summary(await services.new_draft(session, slug, number, actor_of(staff)))

    @delete("/{slug:str}/versions/{number:int}", summary="Delete a draft", opt={"access": "questionnaires:write"})
    async def delete_draft(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], number: FromPath[int]
    ) -> None:
        async with db.write() as session:
            await services.delete_draft(session, slug, number, actor_of(staff))

    @get("/{slug:str}/diff", summary="Differences between two versions", opt={"access": "questionnaires:read"})
    async def diff(
        self,
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        old: Annotated[int, QueryParameter(ge=1, description="The older version")],
        new: Annotated[int, QueryParameter(ge=1, description="The newer version")],
    ) -> Diff:
        a = await services.get_version(read_session, slug, old)
        b = await services.get_version(read_session, slug, new)
        changes = translations.diff(services.definition_of(a), services.definition_of(b))
        return Diff(slug=slug, old=old, new=new, changes=changes)

    @get(
        "/{slug:str}/versions/{number:int}/translations",
        summary="Translation status per language",
        opt={"access": "questionnaires:read"},
    )
    async def translation_status(
        self, read_session: NamedDependency[AsyncSession], slug: FromPath[str], number: FromPath[int]
    ) -> list[translations.LanguageStatus]:
        v = await services.get_version(read_session, slug, number)
        return translations.status_table(services.definition_of(v))

    @get(
        "/{slug:str}/versions/{number:int}/translations/{lang:str}",
        summary="One language's strings for a translator (XLSX or XLIFF 1.2)",
        opt={"access": "questionnaires:read"},
    )
    async def translation_file(
        self,
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        number: FromPath[int],
        lang: FromPath[str],
        file_format: Annotated[Literal["xlsx", "xliff"], QueryParameter(name="format")] = "xlsx",
    ) -> Response[bytes]:
        v = await services.get_version(read_session, slug, number)
        q = services.definition_of(v)
        return translator_file(q, slug, v.number, _language(lang), file_format)

    @post(
        "/{slug:str}/translations/{lang:str}",
        summary="Import a translator file (XLSX or XLIFF in the body) into the latest version as a draft",
        opt={"access": "questionnaires:write"},
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_translation(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        lang: FromPath[str],
        status: Status = None,
    ) -> TranslationImportResult:
        lang = _language(lang)
        body = await request.body()
        if not body:
            raise BadRequest("send the translator file as the request body")
        async with db.write() as session:
            stored, report = await services.import_translations(session, slug, lang, body, status, actor_of(staff))
        return TranslationImportResult(
            slug=slug,
            version=stored.version.number,
            outcome=stored.outcome,
            language=lang,
            updated=report.updated,
            confirmed=report.confirmed,
            missing=report.missing,
            outdated=report.stale,
        )
