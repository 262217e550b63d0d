"""Every questionnaire page of the shipped survey, in every language, weighs at most 60 kB (HTML + CSS)."""

from __future__ import annotations

from httpx import AsyncClient

from survey_service.db.engine import Database
from survey_service.domain.pages.services import steps
from survey_service.domain.questionnaires.services import store
from survey_service.domain.responses.services import survey_context
from survey_service.domain.surveys.services import ensure_demo
from survey_service.languages import SUPPORTED
from survey_service.questionnaire.loader import load
from tests.helpers import ROOT

LIMIT = 60 * 1024


async def test_every_questionnaire_page_weighs_at_most_60_kb(client: AsyncClient, db: Database) -> None:
    async with db.write() as session:
        await store(session, load(ROOT / "questionnaires" / "good-relations"), publish=True)
        demo, _ = await ensure_demo(session)
    async with db.read() as session:
        survey = await survey_context(session, demo.slug)
    assert set(survey.languages) == set(SUPPORTED)
    css = len((await client.get("/static/css/site.css")).content)
    heaviest = measured = 0
    for lang in SUPPORTED:
        for step in steps(survey.questionnaire):
            r = await client.get(f"/s/{demo.slug}/p/{step.id}", params={"lang": lang})
            if r.status_code == 303:  # a follow-up page that skip logic leaves out without answers
                continue
            assert r.status_code == 200, (lang, step.id)
            heaviest = max(heaviest, len(r.content) + css)
            measured += 1
    assert measured >= 7 * len(SUPPORTED)
    assert heaviest <= LIMIT, f"heaviest page {heaviest} bytes"
