"""Resident pages: survey list, language chooser, one page per step, review, submit, thank-you, save & resume.

Everything works with plain HTML forms (no JavaScript needed). Every form carries the CSRF token. Pages
that show answers are never cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.domain.invitations.services import find_invitation, new_code, normalise_code
from survey_service.domain.pages import services as flow
from survey_service.domain.pages.deps import (
    COOKIE,
    Respondent,
    cleared_cookie,
    from_cookie,
    invited_respondent,
    open_respondent,
    session_cookie,
)
from survey_service.domain.pages.schemas import (
    FieldError,
    QuestionView,
    ReviewItem,
    ReviewSection,
)
from survey_service.domain.responses import services as responses
from survey_service.domain.responses.deps import RateLimits
from survey_service.domain.surveys.services import open_surveys
from survey_service.errors import Conflict, NotFound, TooManyRequests
from survey_service.languages import SUPPORTED
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.localize import LocalQuestion, localize, pick
from survey_service.questionnaire.schema import PIPED, MultipleChoice, Question, piped_codes, variable_codes
from survey_service.settings import Settings
from survey_service.web.i18n import gettext as _
from survey_service.web.i18n import number, use_language
from survey_service.web.resident import CSRF_SLOT, HEADERS, csrf_token
from survey_service.web.resident import accept_language as _accept_language
from survey_service.web.resident import language_links as _links
from survey_service.web.resident import page as _page

DEFAULT_LANGUAGE = "fi"
Req = Request[Any, Any, Any]


@lru_cache(maxsize=256)
def _local(cq: CompiledQuestionnaire, language: str) -> dict[str, LocalQuestion]:
    """The questionnaire's questions in one language, by code (cached per version and language)."""
    lq = localize(cq.definition, language)
    return {q.code: q for s in lq.sections for q in s.questions}


def _language(request: Req, survey: responses.SurveyContext, requested: str | None) -> str | None:
    return requested if requested in survey.questionnaire.definition.languages else None


def _source(survey: responses.SurveyContext) -> str:
    return survey.questionnaire.definition.source_language


def _settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _respondent(request: Req) -> Respondent | None:
    return from_cookie(request.cookies.get(COOKIE), _settings(request).secret_key)


def _step_url(slug: str, step: flow.Step | None, language: str) -> str:
    where = f"/s/{slug}/p/{step.id}" if step is not None else f"/s/{slug}/review"
    return f"{where}?{urlencode({'lang': language})}"


def _redirect(url: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(url, status_code=303, headers=HEADERS, cookies=cookies or [])


def _not_found(request: Req, _: NotFound) -> Response[str]:
    """A resident who mistypes an address gets a page in their language, not an API error."""
    lang = request.query_params.get("lang")
    language = lang if lang in SUPPORTED else DEFAULT_LANGUAGE
    return _page(request, "resident/message.html", language, status=404, survey=None, kind="missing", languages=[])


class ResidentPages(Controller):
    path = "/"
    opt = {"access": "public"}  # noqa: RUF012 - Litestar reads it as a class attribute
    include_in_schema = False
    exception_handlers = {NotFound: _not_found}  # noqa: RUF012 - Litestar reads it as a class attribute

    # -- the list of open surveys and the start page ---------------------------------------------------

    @get("/")
    async def index(self, request: Req, db: NamedDependency[Database], lang: FromQuery[str | None] = None) -> Any:
        languages = list(SUPPORTED)
        language = lang if lang in SUPPORTED else _accept_language(request, languages) or DEFAULT_LANGUAGE
        async with db.read() as session:
            waves = await open_surveys(session)
        surveys = [
            {"title": pick(s.title, language, next(iter(s.title))), "href": f"/s/{s.slug}?lang={language}"}
            for s in waves
        ]
        return _page(
            request,
            "resident/index.html",
            language,
            surveys=surveys,
            languages=_links("/", languages, language),
        )

    @get("/s/{slug:str}")
    async def start(
        self,
        request: Req,
        db: NamedDependency[Database],
        rate_limits: NamedDependency[RateLimits],
        slug: FromPath[str],
        lang: FromQuery[str | None] = None,
        token: FromQuery[str | None] = None,
    ) -> Any:
        survey = await self._survey(db, slug)
        settings = _settings(request)
        if token is not None:
            return await self._enter_with(request, db, rate_limits, survey, lang, token=token)
        language = _language(request, survey, lang)
        if language is None:
            chooser = _accept_language(request, survey.languages) or survey.questionnaire.definition.source_language
            return self._chooser(request, survey, chooser)
        if not survey.is_open(utcnow()):
            return self._message(request, survey, language, "closed", status=410)
        respondent = _respondent(request)
        partial = None
        if respondent is not None:
            partial = await responses.load_partial(db, survey.id, respondent.secret)
        needs_code = survey.access == "invitation" and (respondent is None or respondent.invitation_id is None)
        first = flow.visible_steps(survey.questionnaire, partial.answers if partial else {})[0]

        def render(token: str | None = None) -> Response[str]:
            return self._start_page(
                request,
                survey,
                language,
                first,
                needs_code=needs_code,
                continuing=partial is not None,
                token=token,
                cookies=[cleared_cookie(slug, settings.behind_https)] if respondent and needs_code else None,
            )

        if respondent is None:  # a newcomer's start page is the same for every newcomer
            return _shared_page(request, db, ("start-page", survey.version_id, slug, language, needs_code), render)
        return render()

    @post("/s/{slug:str}/code")
    async def enter_code(
        self,
        request: Req,
        db: NamedDependency[Database],
        rate_limits: NamedDependency[RateLimits],
        slug: FromPath[str],
    ) -> Any:
        form = await request.form()
        survey = await self._survey(db, slug)
        language = _language(request, survey, form.get("lang")) or survey.questionnaire.definition.source_language
        return await self._enter_with(request, db, rate_limits, survey, language, code=str(form.get("code", "")))

    async def _enter_with(
        self,
        request: Req,
        db: Database,
        rate_limits: RateLimits,
        survey: responses.SurveyContext,
        lang: str | None,
        *,
        token: str | None = None,
        code: str | None = None,
    ) -> Any:
        """An invitation link was opened or a code typed: check it and start (or continue) answering."""
        language = _language(request, survey, lang)
        if not await rate_limits.code_allowed(request):
            with use_language(language or _source(survey)):
                message = _("Too many attempts. Please wait a few minutes and try again.")
            return self._start_with_error(request, survey, language, message, status=429)
        found = None
        if survey.access == "invitation":
            async with db.read() as session:
                found = await find_invitation(session, survey.id, token=token, code=code)
        if found is None:
            await rate_limits.code_failed(request)
            with use_language(language or _source(survey)):
                message = (
                    _("This invitation link is not valid. Check the link, or type the code from your letter.")
                    if token
                    else _("Check the code. It is in your invitation letter, for example ABCD-EFGH-JKMN.")
                )
            return self._start_with_error(request, survey, language, message, status=404 if token else 422)
        language = language or _language(request, survey, found.language)
        if found.status == "completed":
            return self._message(request, survey, language or _source(survey), "answered", status=409)
        settings = _settings(request)
        respondent = invited_respondent(found.id, settings.secret_key)
        cookie = session_cookie(survey.slug, respondent, settings.secret_key, settings.behind_https)
        if language is None:
            return _redirect(f"/s/{survey.slug}", [cookie])
        partial = await responses.load_partial(db, survey.id, respondent.secret)
        if partial is None:
            return _redirect(f"/s/{survey.slug}?lang={language}", [cookie])
        target = flow.resume_step(survey.questionnaire, partial.answers)
        return _redirect(_step_url(survey.slug, target, language), [cookie])

    def _start_with_error(
        self, request: Req, survey: responses.SurveyContext, language: str | None, message: str, status: int
    ) -> Response[str]:
        language = language or survey.questionnaire.definition.source_language
        first = flow.visible_steps(survey.questionnaire, {})[0]
        return self._start_page(
            request,
            survey,
            language,
            first,
            needs_code=survey.access == "invitation",
            errors=[FieldError("code", message)],
            status=status,
        )

    def _start_page(
        self,
        request: Req,
        survey: responses.SurveyContext,
        language: str,
        first: flow.Step,
        *,
        needs_code: bool,
        continuing: bool = False,
        errors: list[FieldError] | None = None,
        status: int = 200,
        token: str | None = None,
        cookies: list[Cookie] | None = None,
    ) -> Response[str]:
        return _page(
            request,
            "resident/start.html",
            language,
            status=status,
            token=token,
            cookies=cookies,
            survey=self._view(survey, language),
            description=pick(survey.questionnaire.definition.description, language, _source(survey)),
            languages=_links(f"/s/{survey.slug}", survey.languages, language),
            needs_code=needs_code,
            continuing=continuing,
            start_href=_step_url(survey.slug, first, language),
            errors=errors or [],
        )

    def _chooser(self, request: Req, survey: responses.SurveyContext, language: str) -> Response[str]:
        return _page(
            request,
            "resident/chooser.html",
            language,
            survey=self._view(survey, language),
            choices=_links(f"/s/{survey.slug}", survey.languages, language),
        )

    # -- answering --------------------------------------------------------------------------------------

    @get("/s/{slug:str}/p/{step_id:str}")
    async def show_step(
        self,
        request: Req,
        db: NamedDependency[Database],
        slug: FromPath[str],
        step_id: FromPath[str],
        lang: FromQuery[str | None] = None,
    ) -> Any:
        survey, respondent, partial = await self._session(request, db, slug)
        step = flow.find_step(survey.questionnaire, step_id)
        if step is None:
            raise NotFound(f"no page {step_id!r}")
        language = _language(request, survey, lang) or (partial.language if partial else None)
        if language is None:
            return _redirect(f"/s/{slug}")
        if survey.access == "invitation" and (respondent is None or respondent.invitation_id is None):
            return _redirect(f"/s/{slug}?lang={language}")
        answers = partial.answers if partial else {}
        if not flow.step_visible(survey.questionnaire, step, answers):
            following = flow.next_step(survey.questionnaire, step, answers)
            return _redirect(_step_url(slug, following, language))
        values = {code: _as_text(answers[code]) for code in step.variables if code in answers}
        if not values and not any(piped_codes(q) for q in step.questions):
            # A page none of whose questions is answered yet shows no answers: it looks the same for everyone
            # who sees the same questions at the same point of the survey, but for the CSRF token. Render it
            # once per version, language, page and layout, and reuse it (any staff change clears the cache).
            layout = _layout(survey.questionnaire, step, answers) if answers else None  # None: no answers at all
            key = ("step-page", survey.version_id, slug, step.id, language, layout)
            return _shared_page(
                request,
                db,
                key,
                lambda token: self._step_page(request, survey, step, language, answers, {}, [], token=token),
            )
        return self._step_page(request, survey, step, language, answers, values, [])

    @post("/s/{slug:str}/p/{step_id:str}")
    async def save_step(
        self,
        request: Req,
        db: NamedDependency[Database],
        rate_limits: NamedDependency[RateLimits],
        slug: FromPath[str],
        step_id: FromPath[str],
    ) -> Any:
        form = await request.form()
        survey, respondent, partial = await self._session(request, db, slug)
        cq = survey.questionnaire
        step = flow.find_step(cq, step_id)
        if step is None:
            raise NotFound(f"no page {step_id!r}")
        language = _language(request, survey, form.get("lang")) or cq.definition.source_language
        if not survey.is_open(utcnow()):
            return self._message(request, survey, language, "closed", status=410)
        if survey.access == "invitation" and (respondent is None or respondent.invitation_id is None):
            return _redirect(f"/s/{slug}?lang={language}")
        action = str(form.get("action", "next"))
        raw = flow.form_values(step, {k: form.getall(k) for k in form})
        parsed = cq.parse_text(raw)
        before = partial.answers if partial else {}
        merged = {k: v for k, v in before.items() if k not in step.variables} | parsed.answers
        answers = flow.prune_hidden(cq, merged)
        revealed = flow.revealed(cq, step, before, answers)
        codes = [q.code for q in step.questions if q.code not in revealed]
        checked = cq.check(answers, require=action == "next", only=codes)
        page_errors = [e for e in [*parsed.errors, *checked.errors] if e.item in step.variables]
        if page_errors and action == "next":
            return self._step_page(request, survey, step, language, answers, raw, page_errors, status=422)
        # Going back, saving for later or switching language keeps what is valid on this page.
        answers = {k: v for k, v in answers.items() if not any(e.item == k for e in page_errors)}
        cookies: list[Cookie] = []
        if partial is None and (respondent is None or respondent.invitation_id is None):
            # a new open-link response: counted on its first save, whatever cookie came with the request
            try:
                await rate_limits.new_response(request)
            except TooManyRequests:
                return self._message(request, survey, language, "busy", status=429)
        if respondent is None:
            respondent = open_respondent(normalise_code(new_code()))
            settings = _settings(request)
            cookies.append(session_cookie(slug, respondent, settings.secret_key, settings.behind_https))
        try:
            await responses.save_partial(
                db,
                survey,
                secret=respondent.secret,
                language=language,
                answers=answers,
                invitation_id=respondent.invitation_id,
                exists=partial is not None,
            )
        except Conflict:
            return self._message(request, survey, language, "answered", status=409)
        if action == "save":
            return self._saved_page(request, survey, language, respondent, cookies)
        if action.startswith("lang:") and action[5:] in cq.definition.languages:
            return _redirect(_step_url(slug, step, action[5:]), cookies)
        if action == "back":
            previous = flow.previous_step(cq, step, answers)
            return _redirect(_step_url(slug, previous, language) if previous else f"/s/{slug}?lang={language}", cookies)
        if revealed:
            return _redirect(_step_url(slug, step, language), cookies)
        return _redirect(_step_url(slug, flow.next_step(cq, step, answers), language), cookies)

    def _step_page(
        self,
        request: Req,
        survey: responses.SurveyContext,
        step: flow.Step,
        language: str,
        answers: dict[str, Any],
        values: dict[str, Any],
        errors: list[Any],
        status: int = 200,
        token: str | None = None,
    ) -> Response[str]:
        cq = survey.questionnaire
        local = _local(cq, language)
        total, number, shown = _layout(cq, step, answers)
        with use_language(language):
            field_errors = [self._field_error(cq, e, language, local) for e in errors]
        messages = {e.item: e.message for e in field_errors}
        questions = [
            QuestionView(
                question=_piped(local[q.code], cq, answers, local),
                values={code: values.get(code, _default(q, code, answers)) for code in variable_codes(q)},
                errors={code: messages[code] for code in variable_codes(q) if code in messages},
            )
            for q in step.questions
            if q.code in shown
        ]
        section_title = pick(step.section.title, language, cq.definition.source_language) or ""
        return _page(
            request,
            "resident/step.html",
            language,
            status=status,
            survey=self._view(survey, language),
            step=step,
            section_title=section_title,
            intro=pick(step.section.intro, language, cq.definition.source_language) if step.part == 1 else None,
            questions=questions,
            errors=field_errors,
            number=number,
            total=total,
            action=f"/s/{survey.slug}/p/{step.id}",
            languages=_links(f"/s/{survey.slug}/p/{step.id}", survey.languages, language),
            first=number == 1,
            token=token,
        )

    def _field_error(
        self, cq: CompiledQuestionnaire, error: Any, language: str, local: dict[str, LocalQuestion]
    ) -> FieldError:
        message = flow.friendly_message(cq, error, language)
        var = cq.variables.get(error.item)
        prefix = ""
        if var is not None and var.code != var.question.code:
            statement = next((s for s in local[var.question.code].statements if s.code == var.code), None)
            prefix = statement.text if statement else ""
        return FieldError(error.item, message, prefix)

    # -- review, submit, thanks -------------------------------------------------------------------------

    @get("/s/{slug:str}/review")
    async def review(
        self, request: Req, db: NamedDependency[Database], slug: FromPath[str], lang: FromQuery[str | None] = None
    ) -> Any:
        survey, _who, partial = await self._session(request, db, slug)
        language = _language(request, survey, lang) or (partial.language if partial else None)
        if partial is None or language is None:
            return _redirect(f"/s/{slug}" + (f"?lang={language}" if language else ""))
        return self._review_page(request, survey, language, partial.answers)

    def _review_page(
        self, request: Req, survey: responses.SurveyContext, language: str, answers: dict[str, Any]
    ) -> Response[str]:
        cq = survey.questionnaire
        local = _local(cq, language)
        src = cq.definition.source_language
        with use_language(language):
            sections = []
            for step in flow.visible_steps(cq, answers):
                items: list[ReviewItem] = []
                for q in step.questions:
                    if not cq.question_visible(q, answers):
                        continue
                    lq = _piped(local[q.code], cq, answers, local)
                    if lq.statements:
                        rows = [ReviewItem(s.text, _answer_text(lq, answers.get(s.code))) for s in lq.statements]
                        items.append(ReviewItem(lq.text, None, rows))
                    else:
                        items.append(ReviewItem(lq.text, _answer_text(lq, answers.get(q.code))))
                title = pick(step.section.title, language, src) or ""
                sections.append(ReviewSection(title, _step_url(survey.slug, step, language), items))
        return _page(
            request,
            "resident/review.html",
            language,
            survey=self._view(survey, language),
            sections=sections,
            languages=_links(f"/s/{survey.slug}/review", survey.languages, language),
        )

    @post("/s/{slug:str}/submit")
    async def submit(self, request: Req, db: NamedDependency[Database], slug: FromPath[str]) -> Any:
        form = await request.form()
        survey, respondent, partial = await self._session(request, db, slug)
        cq = survey.questionnaire
        language = _language(request, survey, form.get("lang")) or cq.definition.source_language
        settings = _settings(request)
        if respondent is None or partial is None:
            return _redirect(f"/s/{slug}/thanks?lang={language}")
        if not survey.is_open(utcnow()):
            return self._message(request, survey, language, "closed", status=410)
        answers = flow.prune_hidden(cq, partial.answers)
        if flow.under_age(answers):
            await responses.save_partial(
                db, survey, secret=respondent.secret, language=language, answers={}, exists=True
            )
            return self._message(
                request, survey, language, "under_age", cookies=[cleared_cookie(slug, settings.behind_https)]
            )
        checked = cq.check(answers, require=True)
        if not checked.ok:
            first_bad = next(
                s for s in flow.visible_steps(cq, answers) if any(e.item in s.variables for e in checked.errors)
            )
            errors = [e for e in checked.errors if e.item in first_bad.variables]
            values = {code: _as_text(answers[code]) for code in first_bad.variables if code in answers}
            return self._step_page(request, survey, first_bad, language, answers, values, errors, status=422)
        try:
            await responses.submit(
                db,
                survey,
                language=language,
                answers=checked.answers,
                invitation_id=respondent.invitation_id,
                partial_id=partial.id,
                started_on=partial.started_on,
            )
        except responses.AlreadySubmitted:
            pass
        except Conflict:
            return self._message(request, survey, language, "answered", status=409)
        return _redirect(f"/s/{slug}/thanks?lang={language}", [cleared_cookie(slug, settings.behind_https)])

    @get("/s/{slug:str}/thanks")
    async def thanks(
        self, request: Req, db: NamedDependency[Database], slug: FromPath[str], lang: FromQuery[str | None] = None
    ) -> Any:
        survey = await self._survey(db, slug)
        language = _language(request, survey, lang) or survey.questionnaire.definition.source_language
        return self._message(request, survey, language, "thanks")

    # -- save & resume ----------------------------------------------------------------------------------

    def _saved_page(
        self,
        request: Req,
        survey: responses.SurveyContext,
        language: str,
        respondent: Respondent,
        cookies: list[Cookie],
    ) -> Response[str]:
        code = respondent.resume_code
        pretty = "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else None
        link = (
            f"{_settings(request).public_url}/s/{survey.slug}/resume?{urlencode({'code': pretty, 'lang': language})}"
            if pretty
            else None
        )
        return _page(
            request,
            "resident/saved.html",
            language,
            cookies=cookies,
            survey=self._view(survey, language),
            code=pretty,
            link=link,
            continue_href=f"/s/{survey.slug}/resume?{urlencode({'lang': language})}",
            languages=[],
        )

    @get("/s/{slug:str}/resume")
    async def resume_form(
        self,
        request: Req,
        db: NamedDependency[Database],
        rate_limits: NamedDependency[RateLimits],
        slug: FromPath[str],
        lang: FromQuery[str | None] = None,
        code: FromQuery[str | None] = None,
    ) -> Any:
        survey = await self._survey(db, slug)
        language = _language(request, survey, lang) or survey.questionnaire.definition.source_language
        if code:
            return await self._resume(request, db, rate_limits, survey, language, code)
        return self._resume_page(request, survey, language, [])

    @post("/s/{slug:str}/resume")
    async def resume(
        self,
        request: Req,
        db: NamedDependency[Database],
        rate_limits: NamedDependency[RateLimits],
        slug: FromPath[str],
    ) -> Any:
        form = await request.form()
        survey = await self._survey(db, slug)
        language = _language(request, survey, form.get("lang")) or survey.questionnaire.definition.source_language
        return await self._resume(request, db, rate_limits, survey, language, str(form.get("code", "")))

    async def _resume(
        self,
        request: Req,
        db: Database,
        rate_limits: RateLimits,
        survey: responses.SurveyContext,
        language: str,
        code: str,
    ) -> Any:
        partial = None
        allowed = await rate_limits.code_allowed(request)
        respondent = open_respondent(normalise_code(code))
        if allowed and normalise_code(code):
            partial = await responses.load_partial(db, survey.id, respondent.secret)
        if partial is None:
            if allowed:
                await rate_limits.code_failed(request)
            with use_language(language):
                message = (
                    _("Check the code. You got it when you saved your answers, for example ABCD-EFGH-JKMN.")
                    if allowed
                    else _("Too many attempts. Please wait a few minutes and try again.")
                )
            return self._resume_page(request, survey, language, [FieldError("code", message)], 422 if allowed else 429)
        settings = _settings(request)
        cookie = session_cookie(survey.slug, respondent, settings.secret_key, settings.behind_https)
        target = flow.resume_step(survey.questionnaire, partial.answers)
        return _redirect(_step_url(survey.slug, target, language), [cookie])

    def _resume_page(
        self, request: Req, survey: responses.SurveyContext, language: str, errors: list[FieldError], status: int = 200
    ) -> Response[str]:
        return _page(
            request,
            "resident/resume.html",
            language,
            status=status,
            survey=self._view(survey, language),
            errors=errors,
            languages=_links(f"/s/{survey.slug}/resume", survey.languages, language),
        )

    # -- shared -----------------------------------------------------------------------------------------

    async def _survey(self, db: Database, slug: str) -> responses.SurveyContext:
        return await responses.survey_context(db, slug)

    async def _session(
        self, request: Req, db: Database, slug: str
    ) -> tuple[responses.SurveyContext, Respondent | None, responses.Partial | None]:
        respondent = _respondent(request)
        survey = await responses.survey_context(db, slug)
        partial = None
        if respondent:
            partial = await responses.load_partial(db, survey.id, respondent.secret)
        return survey, respondent, partial

    def _message(
        self,
        request: Req,
        survey: responses.SurveyContext,
        language: str,
        kind: str,
        status: int = 200,
        cookies: list[Cookie] | None = None,
    ) -> Response[str]:
        return _page(
            request,
            "resident/message.html",
            language,
            status=status,
            cookies=cookies,
            survey=self._view(survey, language),
            kind=kind,
            languages=_links(request.url.path, survey.languages, language),
        )

    def _view(self, survey: responses.SurveyContext, language: str) -> dict[str, Any]:
        src = survey.questionnaire.definition.source_language
        return {
            "slug": survey.slug,
            "title": pick(survey.title, language, src) or pick(survey.questionnaire.definition.title, language, src),
            "access": survey.access,
            "anonymous": survey.anonymous,
        }


def _shared_page(
    request: Req, db: Database, key: tuple[Any, ...], render: Callable[[str], Response[str]]
) -> Response[str]:
    """A page that is the same for everyone but for the CSRF token: rendered once (with a slot for the
    token) and kept in the process's cache, which any staff change clears."""
    html = db.cache.get(key)
    if html is None:
        html = db.cache[key] = render(CSRF_SLOT).content
    return Response(html.replace(CSRF_SLOT, csrf_token(request)), media_type=MediaType.HTML, headers=HEADERS)


def _layout(cq: CompiledQuestionnaire, step: flow.Step, answers: dict[str, Any]) -> tuple[int, int, tuple[str, ...]]:
    """What a page shows besides answers, given the answers so far: the number of pages, this page's
    number among them, and the codes of its questions that are shown."""
    visible = flow.visible_steps(cq, answers)
    number = next((i for i, s in enumerate(visible, 1) if s.id == step.id), 1)
    return len(visible), number, tuple(q.code for q in step.questions if cq.question_visible(q, answers))


def _default(q: Question, code: str, answers: dict[str, Any]) -> Any:
    """The question's default as the form shows it, while the resident has not answered it."""
    if q.default is None or code in answers:
        return None
    return q.default.split() if isinstance(q, MultipleChoice) else q.default


def _piped(
    q: LocalQuestion, cq: CompiledQuestionnaire, answers: dict[str, Any], local: dict[str, LocalQuestion]
) -> LocalQuestion:
    """The question with each ``${CODE}`` in its text and help replaced by that earlier answer's label."""

    def answer(match: re.Match[str]) -> str:
        code = match.group(1)
        var = cq.variables.get(code)
        value = answers.get(code)
        if var is None or value is None:
            return ""
        owner = local[var.question.code]
        if owner.type == "rating" and str(value) not in {str(c.code) for c in owner.choices}:
            return str(value)
        return _answer_text(owner, value) or ""

    if "${" not in q.text and "${" not in (q.help or ""):
        return q
    return msgspec.structs.replace(q, text=PIPED.sub(answer, q.text), help=PIPED.sub(answer, q.help or "") or q.help)


def _as_text(value: Any) -> Any:
    """A stored answer as the form shows it: strings (lists of strings for multiple choice)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _answer_text(q: LocalQuestion, value: Any) -> str | None:
    if value is None:
        return None
    labels = {str(c.code): c.label for c in q.choices}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if str(value) in labels:
        return labels[str(value)]
    if q.type == "rating" and q.min is not None and q.max is not None:
        return f"{number(value)} ({number(q.min)} = {q.min_label}, {number(q.max)} = {q.max_label})"
    if q.unit and isinstance(value, int | float):
        return f"{number(value)} {q.unit}"
    return number(value) if isinstance(value, int | float) else str(value)
