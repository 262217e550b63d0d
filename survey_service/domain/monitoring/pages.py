"""Staff page of response monitoring: one wave's counts, with the note on what is withheld and why."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.domain.monitoring import services
from survey_service.domain.monitoring.controllers import PERMISSION
from survey_service.languages import endonym
from survey_service.web.forms import N_
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page

MODE_LABELS = {"web": N_("Web"), "paper": N_("Paper form"), "interview": N_("Interview"), "import": N_("Import")}


@get("/staff/surveys/{slug:str}/monitoring", opt={"access": PERMISSION}, include_in_schema=False)
async def monitoring_page(
    request: Request[Any, Any, Any], read_session: NamedDependency[AsyncSession], slug: FromPath[str]
) -> Template:
    report = await services.monitoring(read_session, slug)
    return page(
        request,
        "staff/monitoring.html",
        title=_("Response monitoring – %(slug)s") % {"slug": slug},
        report=report,
        note=_(report.note),
        language_name=endonym,
        mode_labels=MODE_LABELS,
    )
