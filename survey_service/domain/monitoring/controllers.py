"""API of response monitoring (bearer tokens only)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.domain.monitoring import services
from survey_service.domain.monitoring.schemas import Monitoring

# Fieldwork monitoring belongs to running a wave: whoever may see the waves (designers, analysts, admins)
# may see how answering goes. Small counts are withheld, so it shows no individual's answers or absence.
PERMISSION = "surveys:read"


@get(
    "/api/v1/waves/{slug:str}/monitoring",
    summary="Responses per day, language and mode; invitations and response rates per stratum",
    description=(
        'Counts below 5 are the string "<5"; counts withheld so that none below 5 can be worked out from '
        'the totals are "hidden"; rates are null where one of their counts is not shown.'
    ),
    tags=["survey waves"],
    opt={"access": PERMISSION},
)
async def wave_monitoring(read_session: NamedDependency[AsyncSession], slug: FromPath[str]) -> Monitoring:
    return await services.monitoring(read_session, slug)
