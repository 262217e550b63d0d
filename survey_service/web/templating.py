"""Jinja set-up shared by every page: template folder, static URLs, translations per request language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from survey_service.web import i18n

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PATH = "/static"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja environment; ``_()``/``ngettext()`` translate into the language set by ``use_language``."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
    )
    env.globals["static"] = lambda path: f"{STATIC_PATH}/{path}"
    env.filters["number"] = i18n.number
    env.filters["day"] = i18n.format_day
    env.filters["moment"] = i18n.format_moment
    return env


def render(name: str, language: str, **context: Any) -> str:
    """Render a template with the UI translated into ``language`` (staff templates: the staff catalogue)."""
    with i18n.use_language(language, staff=name.startswith("staff/")):
        return environment().get_template(name).render(**context)


def template_config() -> TemplateConfig[Any]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def static_router() -> Any:
    return create_static_files_router(
        path=STATIC_PATH, directories=[STATIC], include_in_schema=False, opt={"access": "public"}
    )
