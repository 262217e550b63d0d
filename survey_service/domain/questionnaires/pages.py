"""Staff pages of questionnaires: list and import, versions, preview per language, publish, new drafts,
diffs, XLSForm download, and the translation workflow."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.domain.auth.guards import require
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.questionnaires import services
from survey_service.domain.questionnaires.deps import (
    MAX_UPLOAD_BYTES,
    carried_or_uploaded_file,
    download,
    translator_file,
    uploaded_file,
)
from survey_service.errors import DomainError, ItemError, Unprocessable
from survey_service.languages import SUPPORTED, endonym, ordered
from survey_service.questionnaire import translations
from survey_service.questionnaire.loader import DefinitionError
from survey_service.questionnaire.localize import text_direction
from survey_service.questionnaire.xlsform import XLSX_MEDIA_TYPE, WorkbookError, language_header, to_xlsform
from survey_service.web.forms import N_, form_fields, page_errors
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page

BASE = "/staff/questionnaires"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*\Z")
NOTICES = {
    "imported": N_("The definition was imported."),
    "unchanged": N_("The file is identical to the latest version: nothing changed."),
    "published": N_("The version is published. It can never change again."),
    "draft": N_("A new draft was started from this version."),
    "deleted": N_("The draft was deleted."),
    "translation": N_("The translations were imported into a draft."),
    "status": N_("The language status was saved in a draft."),
    "confirmed": N_("The strings were marked as still right."),
}
Done = Annotated[str | None, QueryParameter(name="done", max_length=20)]


def _notice(done: str | None) -> str | None:
    return _(NOTICES[done]) if done in NOTICES else None


class QuestionnairePages(Controller):
    path = BASE
    include_in_schema = False

    @get("/", opt={"access": "questionnaires:read"})
    async def index(
        self, request: Request[Any, Any, Any], read_session: NamedDependency[AsyncSession], done: Done = None
    ) -> Template:
        return page(
            request,
            "staff/questionnaires.html",
            title=_("Questionnaires"),
            questionnaires=await services.list_questionnaires(read_session),
            errors=[],
            notice=_notice(done),
            languages={code: endonym(code) for code in SUPPORTED},
        )

    @post("/import", opt={"access": "questionnaires:write"}, request_max_body_size=MAX_UPLOAD_BYTES * 4 // 3 + 65536)
    async def import_file(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database], staff: NamedDependency[Staff]
    ) -> Response[Any]:
        form = await request.form()
        publish = form.get("publish") == "yes"
        workbook: services.Workbook | None = None
        try:
            if publish:
                require(staff, "questionnaires:publish")
            data, filename = await carried_or_uploaded_file(request)
            if services.is_workbook(data, filename):
                workbook = services.Workbook(data, filename, *_workbook_options(form))
                try:
                    q, summary = services.read_workbook(workbook, complete=publish)
                except WorkbookError as exc:
                    workbook.unknown = exc.summary.unknown_languages
                    raise services.definition_error(exc) from None
                if form.get("confirm") != "yes":
                    # Nothing is stored until staff have seen what the workbook was mapped to.
                    return await self._listing(
                        request, db, workbook=workbook, summary=summary, questionnaire=q, publish=publish
                    )
            else:
                try:
                    q = services.parse_upload(data, filename, complete=publish)
                except DefinitionError as exc:
                    raise services.definition_error(exc) from None
            async with db.write() as session:
                stored = await services.store(
                    session, q, publish=publish, note=f"imported {filename}", actor=actor_of(staff)
                )
        except DomainError as exc:
            errors = page_errors(exc) if not exc.errors or exc.errors[0].item == "file" else _file_errors(exc)
            return await self._listing(
                request, db, errors=errors, workbook=workbook, publish=publish, status_code=int(exc.status)
            )
        done = "unchanged" if stored.outcome == "unchanged" else "published" if publish else "imported"
        return Redirect(f"{BASE}/{q.slug}/{stored.version.number}?done={done}", status_code=303)

    async def _listing(
        self, request: Request[Any, Any, Any], db: Database, *, status_code: int = 200, **context: Any
    ) -> Response[Any]:
        async with db.read() as session:
            listing = await services.list_questionnaires(session)
        return page(
            request,
            "staff/questionnaires.html",
            title=_("Questionnaires"),
            questionnaires=listing,
            errors=context.pop("errors", []),
            languages={code: endonym(code) for code in SUPPORTED},
            status_code=status_code,
            **context,
        )

    @get("/{slug:str}", opt={"access": "questionnaires:read"})
    async def questionnaire(
        self, request: Request[Any, Any, Any], read_session: NamedDependency[AsyncSession], slug: FromPath[str]
    ) -> Template:
        versions = await self._versions(read_session, slug)
        return page(
            request,
            "staff/questionnaire.html",
            title=_("Questionnaire %(slug)s") % {"slug": slug},
            slug=slug,
            versions=versions,
        )

    async def _versions(self, session: AsyncSession, slug: str) -> list[Any]:
        for s, versions in await services.list_questionnaires(session):
            if s == slug:
                return versions
        await services.get_version(session, slug)  # raises NotFound naming the questionnaire
        return []

    @get("/{slug:str}/{number:int}", opt={"access": "questionnaires:read"})
    async def version(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        number: FromPath[int],
        done: Done = None,
    ) -> Template:
        v = await services.get_version(read_session, slug, number)
        q = services.definition_of(v)
        latest = (await self._versions(read_session, slug))[-1]
        return page(
            request,
            "staff/version.html",
            title=_("%(slug)s, version %(number)d") % {"slug": slug, "number": number},
            slug=slug,
            v=v,
            q=q,
            is_latest=latest.number == v.number,
            waves=await services.waves_of(read_session, v),
            languages=translations.status_table(q),
            endonym=endonym,
            notice=_notice(done),
        )

    @post("/{slug:str}/{number:int}/publish", opt={"access": "questionnaires:publish"})
    async def publish(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], number: FromPath[int]
    ) -> Redirect:
        async with db.write() as session:
            await services.publish(session, slug, number, actor_of(staff))
        return Redirect(f"{BASE}/{slug}/{number}?done=published", status_code=303)

    @post("/{slug:str}/{number:int}/new-draft", opt={"access": "questionnaires:write"})
    async def new_draft(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], number: FromPath[int]
    ) -> Redirect:
        async with db.write() as session:
            v = await services.new_draft(session, slug, number, actor_of(staff))
        return Redirect(f"{BASE}/{slug}/{v.number}?done=draft", status_code=303)

    @post("/{slug:str}/{number:int}/delete", opt={"access": "questionnaires:write"})
    async def delete_draft(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], number: FromPath[int]
    ) -> Redirect:
        async with db.write() as session:
            await services.delete_draft(session, slug, number, actor_of(staff))
        return Redirect(f"{BASE}/?done=deleted", status_code=303)

    @get("/{slug:str}/{number:int}/xlsform", opt={"access": "questionnaires:read"})
    async def xlsform(
        self, read_session: NamedDependency[AsyncSession], slug: FromPath[str], number: FromPath[int]
    ) -> Response[bytes]:
        v = await services.get_version(read_session, slug, number)
        return download(to_xlsform(services.definition_of(v), str(v.number)), f"{slug}-v{number}.xlsx", XLSX_MEDIA_TYPE)

    @get("/{slug:str}/{number:int}/preview", opt={"access": "questionnaires:read"})
    async def preview(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        number: FromPath[int],
        lang: FromQuery[str | None] = None,
    ) -> Template:
        v = await services.get_version(read_session, slug, number)
        q = services.definition_of(v)
        language = lang if lang in set(q.languages) | set(SUPPORTED) else q.source_language
        title, description, sections = translations.preview(q, language)
        choices = [(code, endonym(code), code in q.languages) for code in ordered(set(q.languages) | set(SUPPORTED))]
        info = q.languages.get(language)
        return page(
            request,
            "staff/preview.html",
            title=_("Preview of %(slug)s, version %(number)d") % {"slug": slug, "number": number},
            slug=slug,
            v=v,
            language=language,
            language_name=language_header(language),
            language_status=info.status if info else "not in this questionnaire",
            text_dir=text_direction(language),
            choices=choices,
            q_title=title,
            description=description,
            sections=sections,
        )

    @get("/{slug:str}/diff", opt={"access": "questionnaires:read"})
    async def diff(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        old: Annotated[int | None, QueryParameter(ge=1)] = None,
        new: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Template:
        versions = await self._versions(read_session, slug)
        numbers = [v.number for v in versions]
        new = new or numbers[-1]
        old = old or (numbers[-2] if len(numbers) > 1 else numbers[-1])
        a = await services.get_version(read_session, slug, old)
        b = await services.get_version(read_session, slug, new)
        changes = translations.diff(services.definition_of(a), services.definition_of(b))
        return page(
            request,
            "staff/diff.html",
            title=_("%(slug)s: version %(old)d → %(new)d") % {"slug": slug, "old": old, "new": new},
            slug=slug,
            numbers=numbers,
            old=old,
            new=new,
            changes=changes,
        )

    @get("/{slug:str}/{number:int}/translations", opt={"access": "questionnaires:read"})
    async def translations_page(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        number: FromPath[int],
        done: Done = None,
    ) -> Template:
        return await self._translations(request, read_session, slug, number, [], notice=_notice(done))

    async def _translations(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        slug: str,
        number: int,
        errors: list[tuple[str, str]],
        status_code: int = 200,
        **kw: Any,
    ) -> Template:
        v = await services.get_version(session, slug, number)
        q = services.definition_of(v)
        table = translations.status_table(q)
        outdated = {
            row.language: [r for r in translations.string_rows(q, row.language) if r.state == "outdated"]
            for row in table
            if row.outdated
        }
        return page(
            request,
            "staff/translations.html",
            title=_("Translations of %(slug)s, version %(number)d") % {"slug": slug, "number": number},
            slug=slug,
            v=v,
            q=q,
            table=table,
            outdated=outdated,
            endonym=endonym,
            new_languages=[c for c in SUPPORTED if c not in q.languages],
            errors=errors,
            status_code=status_code,
            **kw,
        )

    @get("/{slug:str}/{number:int}/translations/{lang:str}", opt={"access": "questionnaires:read"})
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
        if lang not in set(q.languages) | set(SUPPORTED):
            raise Unprocessable(f"unknown language {lang!r}")
        return translator_file(q, slug, v.number, lang, file_format)

    @post(
        "/{slug:str}/{number:int}/translations/import",
        opt={"access": "questionnaires:write"},
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def import_translation(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        number: FromPath[int],
    ) -> Response[Any]:
        form = await request.form()
        lang = str(form.get("language") or "")
        status = str(form.get("status") or "") or None
        try:
            if not LANGUAGE_CODE.match(lang):
                raise Unprocessable(
                    _("Choose the language of the file."),
                    [ItemError("language", _("Choose the language of the file."))],
                )
            data, _filename = await uploaded_file(request)
            async with db.write() as session:
                stored, report = await services.import_translations(session, slug, lang, data, status, actor_of(staff))
        except DomainError as exc:
            async with db.read() as session:
                return await self._translations(
                    request, session, slug, number, _file_errors(exc), status_code=int(exc.status)
                )
        async with db.read() as session:
            return await self._translations(
                request, session, slug, stored.version.number, [], report=report, report_language=lang,
                notice=_(NOTICES["translation"] if stored.outcome != "unchanged" else NOTICES["unchanged"]),
            )  # fmt: skip

    @post("/{slug:str}/{number:int}/languages", opt={"access": "questionnaires:write"})
    async def language_status(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        number: FromPath[int],
    ) -> Response[Any]:
        fields = await form_fields(request)
        statuses = {k.removeprefix("status-"): v for k, v in fields.items() if k.startswith("status-")}
        try:
            async with db.write() as session:
                stored = await services.set_language_status(session, slug, statuses, actor_of(staff))
        except DomainError as exc:
            async with db.read() as session:
                return await self._translations(request, session, slug, number, page_errors(exc), int(exc.status))
        return Redirect(f"{BASE}/{slug}/{stored.version.number}/translations?done=status", status_code=303)

    @post("/{slug:str}/{number:int}/translations/{lang:str}/confirm", opt={"access": "questionnaires:write"})
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        number: FromPath[int],
        lang: FromPath[str],
    ) -> Redirect:
        form = await request.form()
        keys = [str(k) for k in form.getall("key")] if "key" in form else []
        async with db.write() as session:
            stored = await services.confirm_translations(session, slug, lang, keys, actor_of(staff))
        return Redirect(f"{BASE}/{slug}/{stored.version.number}/translations?done=confirmed", status_code=303)


def _workbook_options(form: Any) -> tuple[str | None, dict[str, str]]:
    """The import page's answers about languages: the language of plain ``label`` columns, and a code for
    each language name CLDR does not know (fields ``code:<name>``)."""
    unnamed = str(form.get("unnamed_language") or "") or None
    codes = {
        key.partition(":")[2]: str(value).strip()
        for key, value in form.items()
        if key.startswith("code:") and isinstance(value, str) and value.strip()
    }
    return unnamed, codes


def _file_errors(exc: DomainError) -> list[tuple[str, str]]:
    """Problems in an uploaded file, each linked to the file field of the form."""
    return [("file", f"{e.item}: {e.message}") for e in exc.errors] or [("file", exc.detail)]
