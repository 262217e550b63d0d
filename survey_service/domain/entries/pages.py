"""Staff pages of paper and interview entry: the waves taking entries, and one respondent's form per wave.

The form shows every question of the wave's version in the language of the paper form, with its skip
logic; the answers are checked by the shared answer check (``questionnaire/answers.py``) exactly as web
answers. On any problem nothing is stored and the form comes back filled in, with an error summary and
each message at its field; after saving, an empty form for the next respondent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.entries import services
from survey_service.domain.pages import services as flow
from survey_service.domain.pages.schemas import FieldError, QuestionView
from survey_service.domain.responses import services as responses
from survey_service.domain.surveys.services import all_surveys
from survey_service.errors import DomainError, ItemError
from survey_service.languages import endonym
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.localize import LocalQuestion, localize, pick, text_direction
from survey_service.questionnaire.schema import variable_codes
from survey_service.web.forms import N_
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page

BASE = "/staff/entry"
MODE_LABELS = {"paper": N_("Paper form"), "interview": N_("Interview")}
NO_STORE = {"Cache-Control": "no-store"}
Req = Request[Any, Any, Any]


@dataclass(slots=True)
class EntryQuestion:
    view: QuestionView
    show_if: str | None
    applies: bool | None  # with the answers entered so far (None: nothing entered yet)


@dataclass(slots=True)
class EntrySection:
    id: str
    title: str
    show_if: str | None
    applies: bool | None
    questions: list[EntryQuestion] = field(default_factory=list)


@lru_cache(maxsize=64)
def _local(cq: CompiledQuestionnaire, language: str) -> dict[str, LocalQuestion]:
    lq = localize(cq.definition, language)
    return {q.code: q for s in lq.sections for q in s.questions}


def _form_values(cq: CompiledQuestionnaire, form: Any) -> dict[str, str | list[str]]:
    """Every variable's field of the posted form (lists for multiple choice), as the web pages read them."""
    raw: dict[str, str | list[str]] = {}
    for step in flow.steps(cq):
        raw |= flow.form_values(step, {k: form.getall(k) for k in form})
    return raw


def _field_errors(cq: CompiledQuestionnaire, errors: list[ItemError], local: dict[str, LocalQuestion]) -> list[Any]:
    """Errors for the summary: answer errors link to their field (``f-CODE``), matrix rows named."""
    out = []
    for e in errors:
        var = cq.variables.get(e.item)
        prefix = ""
        if var is not None and var.code != var.question.code:
            statement = next((s for s in local[var.question.code].statements if s.code == var.code), None)
            prefix = statement.text if statement else var.code
        elif var is not None:
            prefix = var.code
        out.append(FieldError(e.item, e.message, prefix))
    return out


class EntryPages(Controller):
    path = BASE
    include_in_schema = False
    opt = {"access": "responses:enter"}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/")
    async def waves(self, request: Req, read_session: NamedDependency[AsyncSession]) -> Template:
        now = utcnow()
        rows = [
            {
                "slug": s.slug,
                "title": pick(s.title, "en", next(iter(s.title), "en")),
                "year": s.year,
                "access": s.access,
                "taking": services.accepts_entries(s, now),
            }
            for s in await all_surveys(read_session)
        ]
        return page(request, "staff/entry_waves.html", title=_("Paper and interview entry"), waves=rows)

    @get("/{slug:str}")
    async def form(
        self,
        request: Req,
        db: NamedDependency[Database],
        slug: FromPath[str],
        lang: FromQuery[str | None] = None,
        mode: FromQuery[str | None] = None,
        saved: FromQuery[str | None] = None,
    ) -> Response[Any]:
        survey = await responses.survey_context(db, slug)
        language = lang if lang in survey.questionnaire.definition.languages else _source(survey)
        notice = None
        if saved in services.MODES:
            notice = _("Saved (%(mode)s, %(language)s). Enter the next one.") % {
                "mode": _(MODE_LABELS[saved]).lower(),
                "language": endonym(language),
            }
        return self._form(
            request,
            survey,
            language,
            mode if mode in services.MODES else "paper",
            raw={},
            answers=None,
            errors=[],
            notice=notice,
        )

    @post("/{slug:str}")
    async def save(
        self, request: Req, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str]
    ) -> Response[Any]:
        form = await request.form()
        survey = await responses.survey_context(db, slug)
        cq = survey.questionnaire
        language = str(form.get("language", ""))
        mode = str(form.get("mode", ""))
        code = str(form.get("code", "")).strip() or None
        key = str(form.get("entry_key", ""))[:64] or str(uuid.uuid4())
        raw = _form_values(cq, form)
        shown_language = language if language in cq.definition.languages else _source(survey)
        problems = services.entry_problems(survey, language=language, mode=mode, code=code, token=None)
        result = services.check_text(survey, raw)
        errors = [*problems, *result.errors]
        if not services.accepts_entries(survey, utcnow()):
            errors.insert(0, ItemError("", _("This wave is closed (or not yet open): it takes no entries.")))
        if not errors:
            claim = responses.IdempotencyClaim.of(
                key, msgspec.json.encode([language, mode, code, result.answers], order="sorted")
            )
            try:
                await services.store_entry(
                    db,
                    survey,
                    actor_of(staff),
                    language=language,
                    mode=mode,
                    answers=result.answers,
                    code=code,
                    idempotency=claim,
                )
            except DomainError as exc:
                errors = [_staff_error(e) for e in exc.errors] or [ItemError("", exc.detail)]
            else:
                query = urlencode({"lang": language, "mode": mode, "saved": mode})
                return Redirect(f"{BASE}/{slug}?{query}", status_code=303, headers=NO_STORE)
        typed = cq.parse_text(raw).answers
        return self._form(
            request,
            survey,
            shown_language,
            mode,
            raw=raw,
            answers=typed,
            errors=errors,
            code=code or "",
            entry_key=key,
            status_code=422 if errors else 200,
        )

    def _form(
        self,
        request: Req,
        survey: responses.SurveyContext,
        language: str,
        mode: str,
        *,
        raw: dict[str, Any],
        answers: dict[str, Any] | None,
        errors: list[ItemError],
        notice: str | None = None,
        code: str = "",
        entry_key: str | None = None,
        status_code: int = 200,
    ) -> Response[Any]:
        cq = survey.questionnaire
        src = _source(survey)
        local = _local(cq, language)
        field_errors = _field_errors(cq, errors, local)
        messages = {e.item: e.message for e in field_errors}
        sections = []
        for section in cq.definition.sections:
            view = EntrySection(
                id=section.id,
                title=pick(section.title, language, src) or section.id,
                show_if=section.show_if,
                applies=None if answers is None else cq.section_visible(section, answers),
            )
            for q in section.questions:
                codes = variable_codes(q)
                view.questions.append(
                    EntryQuestion(
                        view=QuestionView(
                            question=local[q.code],
                            values={c: raw.get(c) for c in codes},
                            errors={c: messages[c] for c in codes if c in messages},
                        ),
                        show_if=q.show_if,
                        applies=None if answers is None else cq.question_visible(q, answers),
                    )
                )
            sections.append(view)
        template = page(
            request,
            "staff/entry.html",
            title=(_("Error: ") if errors else "") + _("Enter a response – %(slug)s") % {"slug": survey.slug},
            status_code=status_code,
            wave={
                "slug": survey.slug,
                "title": pick(survey.title, language, src),
                "access": survey.access,
                "anonymous": survey.anonymous,
            },
            taking=services.accepts_entries(survey, utcnow()),
            language=language,
            text_dir=text_direction(language),
            languages=[(c, endonym(c)) for c in survey.languages],
            mode=mode,
            modes=list(MODE_LABELS.items()),
            sections=sections,
            errors=field_errors,
            other_errors=[e for e in field_errors if e.item not in cq.variables],
            notice=notice,
            code=code,
            entry_key=entry_key or str(uuid.uuid4()),
        )
        template.headers.update(NO_STORE)
        return template


def _staff_error(error: ItemError) -> ItemError:
    if error.item == "Idempotency-Key":  # the same form posted again after it was saved, with changes
        return ItemError("", _("This form was already saved. Open an empty form for the next respondent."))
    return error


def _source(survey: responses.SurveyContext) -> str:
    return survey.questionnaire.definition.source_language
