"""Rendering resident pages: a page in the resident's language with the CSRF field, and language links.

Shared by every resident-facing area (survey pages, feedback). Pages are never cached: they can show
answers, codes or replies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.response import Response
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from survey_service.domain.pages.schemas import LanguageLink
from survey_service.languages import endonym
from survey_service.questionnaire.localize import text_direction
from survey_service.web.i18n import use_language
from survey_service.web.templating import render

# Security headers for every response come from survey_service.security.
HEADERS = {"Cache-Control": "no-store"}


def page(
    request: Request[Any, Any, Any],
    template: str,
    language: str,
    *,
    status: int = 200,
    cookies: list[Cookie] | None = None,
    **ctx: Any,
) -> Response[str]:
    """``template`` rendered in ``language`` (``lang``, ``dir`` and ``csrf_input`` set), not cacheable."""
    token = ScopeState.from_scope(request.scope).csrf_token
    csrf = Markup('<input type="hidden" name="_csrf_token" value="{}">').format(token if isinstance(token, str) else "")
    with use_language(language):
        html = render(template, language, lang=language, dir=text_direction(language), csrf_input=csrf, **ctx)
    return Response(html, status_code=status, media_type=MediaType.HTML, headers=HEADERS, cookies=cookies or [])


def language_links(path: str, languages: list[str], current: str, **params: str) -> list[LanguageLink]:
    """Links to ``path`` in each language (for the language chooser in the page header)."""
    return [
        LanguageLink(
            code=code,
            name=endonym(code),
            href=f"{path}?{urlencode({**params, 'lang': code})}",
            dir=text_direction(code),
            current=code == current,
        )
        for code in languages
    ]


def accept_language(request: Request[Any, Any, Any], offered: list[str]) -> str | None:
    """The first of ``offered`` that the browser's Accept-Language asks for, if any."""
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag in offered:
            return tag
        if tag.split("-")[0] in offered:
            return tag.split("-")[0]
    return None
