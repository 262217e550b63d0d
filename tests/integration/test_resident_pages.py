"""The resident pages over HTTP: start, language chooser, steps with skip logic, errors, review, submit,
language switching, save & resume, invitation links and codes."""

from __future__ import annotations

import json
import re
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import text, update

from survey_service.db.engine import Database
from survey_service.db.models import Survey
from tests.helpers import count_rows, invitations, open_survey

BASE = "/s/mini-2026"


def csrf(client: AsyncClient) -> str:
    return str(client.cookies.get("csrftoken"))


async def post_form(client: AsyncClient, url: str, data: dict[str, Any]) -> Response:
    await client.get("/")  # a safe request sets the CSRF cookie, as a browser's first visit does
    return await client.post(url, data={**data, "_csrf_token": csrf(client)})


async def answer(
    client: AsyncClient, step: str, data: dict[str, Any], lang: str = "en", action: str = "next"
) -> Response:
    return await post_form(client, f"{BASE}/p/{step}", {**data, "lang": lang, "action": action})


async def stored(db: Database) -> list[Any]:
    async with db.read() as session:
        return list((await session.execute(text("SELECT status, language, answers, resume_hash FROM response"))).all())


def answers_of(row: Any) -> dict[str, Any]:
    return row.answers if isinstance(row.answers, dict) else json.loads(row.answers)


async def test_index_lists_open_surveys_with_links(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get("/?lang=en")
    assert r.status_code == 200
    assert 'href="/s/mini-2026?lang=en">Small survey</a>' in r.text


async def test_start_without_language_offers_each_language_named_in_itself(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get(BASE)
    assert r.status_code == 200
    assert 'lang="fi" hreflang="fi" dir="ltr">Suomi</a>' in r.text
    assert 'lang="en" hreflang="en" dir="ltr">English</a>' in r.text
    direct = await client.get(f"{BASE}?lang=en")
    assert f'href="{BASE}/p/opinions?lang=en"' in direct.text and '<html lang="en" dir="ltr">' in direct.text


async def test_missing_answer_shows_a_linked_error_summary_and_keeps_nothing(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await answer(client, "opinions", {"TRUST": "5"})
    assert r.status_code == 422
    assert '<div class="error-summary" id="error-summary" role="alert"' in r.text
    assert '<a href="#f-GETON">Answer this question.</a>' in r.text
    assert 'id="GETON-error"' in r.text and 'aria-describedby="GETON-error"' in r.text
    assert re.search(r'id="f-TRUST-6" name="TRUST" value="5" checked', r.text)  # what was typed is kept
    assert r.text.count("<title>Error: ") == 1
    assert await stored(db) == []


async def test_skip_logic_on_the_server_skips_the_follow_up_page(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await answer(client, "opinions", {"GETON": "1", "TRUST": "5", "CONTACT": "never"})
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/p/experiences?lang=en"
    follow = await client.get(f"{BASE}/p/opinions-2?lang=en")
    assert follow.status_code == 303 and follow.headers["location"].startswith(f"{BASE}/p/experiences")
    r = await answer(client, "opinions", {"GETON": "1", "TRUST": "5", "CONTACT": "often"})
    assert r.headers["location"] == f"{BASE}/p/opinions-2?lang=en"
    page = await client.get(r.headers["location"])
    assert "How good?" in page.text


async def test_a_page_rendered_once_for_many_shows_each_respondent_the_questions_their_answers_call_for(
    client: AsyncClient, db: Database
) -> None:
    await open_survey(db)
    for discriminated in ("yes", "no", "yes", "no"):
        client.cookies.clear()  # a new respondent
        await answer(client, "opinions", {"GETON": "1", "CONTACT": "never"})
        r = await answer(client, "experiences", {"DISC_WORK": discriminated, "DISC_HEALTH": "no"})
        assert r.headers["location"] == f"{BASE}/p/experiences-2?lang=en"
        page = await client.get(r.headers["location"])
        assert page.status_code == 200 and 'name="STORY"' in page.text
        assert ('name="GROUNDS"' in page.text) is (discriminated == "yes")
        assert f'name="_csrf_token" value="{csrf(client)}"' in page.text  # this respondent's own token
    # Back on a page with answers: those answers are shown (such a page is never shared).
    back = await client.get(f"{BASE}/p/experiences?lang=en")
    assert re.search(r'name="DISC_WORK" value="no" checked', back.text)


async def test_whole_survey_with_review_submit_and_thanks(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    assert (await answer(client, "opinions", {"GETON": "2", "CONTACT": "often"})).status_code == 303
    assert (await answer(client, "opinions-2", {"CONTACT_GOOD": "9"})).status_code == 303
    r = await answer(client, "experiences", {"DISC_WORK": "yes", "DISC_HEALTH": "no"})
    assert r.headers["location"] == f"{BASE}/p/experiences-2?lang=en"
    bad = await answer(client, "experiences-2", {"GROUNDS": ["origin", "none"]})
    assert bad.status_code == 422 and "“None of these” cannot be chosen together with other options." in bad.text
    r = await answer(client, "experiences-2", {"GROUNDS": ["origin", "language"], "STORY": "Kerran töissä."})
    assert r.headers["location"] == f"{BASE}/p/background?lang=en"
    bad = await answer(client, "background", {"MOVED": "1850", "HOUSEHOLD": "two"})
    assert bad.status_code == 422
    assert "Enter a year from 1930 to" in bad.text and "Enter a whole number using digits, for example 3." in bad.text
    r = await answer(client, "background", {"AGE": "30_64", "TONGUE": "other", "MOVED": "2015", "HOUSEHOLD": "3"})
    assert r.headers["location"] == f"{BASE}/review?lang=en"
    review = await client.get(r.headers["location"])
    assert "Tend to agree" in review.text and "Origin, Language" in review.text and "Not answered" in review.text
    [partial] = await stored(db)
    assert partial.status == "partial" and partial.resume_hash is not None
    done = await post_form(client, f"{BASE}/submit", {"lang": "en"})
    assert done.status_code == 303 and done.headers["location"] == f"{BASE}/thanks?lang=en"
    thanks = await client.get(done.headers["location"])
    assert "Thank you for your answers" in thanks.text
    [row] = await stored(db)
    assert row.status == "complete" and row.language == "en" and row.resume_hash is None
    assert answers_of(row) == {
        "GETON": 2,
        "CONTACT": "often",
        "CONTACT_GOOD": 9,
        "DISC_WORK": "yes",
        "DISC_HEALTH": "no",
        "GROUNDS": ["origin", "language"],
        "STORY": "Kerran töissä.",
        "AGE": "30_64",
        "TONGUE": "other",
        "MOVED": 2015,
        "HOUSEHOLD": 3,
    }
    again = await post_form(client, f"{BASE}/submit", {"lang": "en"})
    assert again.status_code == 303 and await count_rows(db, "response") == 1


async def test_changing_a_filter_answer_drops_the_answers_it_now_skips(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    await answer(client, "opinions", {"GETON": "1", "CONTACT": "often"})
    await answer(client, "opinions-2", {"CONTACT_GOOD": "4"})
    await answer(client, "opinions", {"GETON": "1", "CONTACT": "never"})
    [row] = await stored(db)
    assert answers_of(row) == {"GETON": 1, "CONTACT": "never"}


async def test_switching_language_keeps_the_answers_and_the_response_language_is_the_last_one(
    client: AsyncClient, db: Database
) -> None:
    await open_survey(db)
    await answer(client, "opinions", {"GETON": "3", "CONTACT": "never"}, lang="en")
    r = await answer(client, "experiences", {"DISC_WORK": "no"}, lang="en", action="lang:fi")
    assert r.headers["location"] == f"{BASE}/p/experiences?lang=fi"
    page = await client.get(r.headers["location"])
    assert '<html lang="fi" dir="ltr">' in page.text and "Kokemukset" in page.text
    assert re.search(r'name="DISC_WORK" value="no" checked', page.text)
    back = await client.get(f"{BASE}/p/opinions?lang=fi")
    assert re.search(r'name="GETON" value="3" checked', back.text) and "Tulevatko ihmiset toimeen?" in back.text
    await answer(client, "experiences", {"DISC_WORK": "no"}, lang="fi")
    await answer(client, "background", {}, lang="fi")
    await post_form(client, f"{BASE}/submit", {"lang": "fi"})
    [row] = await stored(db)
    assert row.status == "complete" and row.language == "fi"


async def test_save_and_resume_with_the_code_in_another_browser(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    saved = await answer(client, "opinions", {"GETON": "4", "CONTACT": "never"}, action="save")
    assert saved.status_code == 200 and "Your answers have been saved" in saved.text
    code = re.search(r'<p class="resume-code" dir="ltr" translate="no">([A-Z0-9-]+)</p>', saved.text)
    assert code is not None
    client.cookies.clear()
    wrong = await post_form(client, f"{BASE}/resume", {"code": "AAAA-BBBB-CCCC", "lang": "en"})
    assert wrong.status_code == 422 and '<a href="#f-code">' in wrong.text
    r = await post_form(client, f"{BASE}/resume", {"code": code.group(1).lower().replace("-", " "), "lang": "en"})
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/p/experiences?lang=en"
    page = await client.get(f"{BASE}/p/opinions?lang=en")
    assert re.search(r'name="GETON" value="4" checked', page.text)
    link = await client.get(f"{BASE}/resume", params={"code": code.group(1), "lang": "en"})
    assert link.status_code == 303


async def test_invitation_link_answers_once_then_shows_already_answered(client: AsyncClient, db: Database) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    start = await client.get(f"{BASE}?lang=en")
    assert 'name="code"' in start.text  # no link yet: the page asks for the letter's code
    r = await client.get(BASE, params={"token": inv.token, "lang": "en"})
    assert r.status_code == 303 and "token" not in r.headers["location"]
    assert await count_rows(db, "invitation", "status = 'unused'") == 1
    await answer(client, "opinions", {"GETON": "1"})
    assert await count_rows(db, "invitation", "status = 'started'") == 1
    await post_form(client, f"{BASE}/submit", {"lang": "en"})
    assert await count_rows(db, "invitation", "status = 'completed'") == 1
    assert await count_rows(db, "response", "status = 'complete' AND invitation_id IS NULL") == 1
    client.cookies.clear()
    again = await client.get(BASE, params={"token": inv.token, "lang": "en"})
    assert again.status_code == 409 and "You have already answered this survey" in again.text


async def test_invitation_code_typed_loosely_starts_and_wrong_code_is_explained(
    client: AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    wrong = await post_form(client, f"{BASE}/code", {"code": "nope", "lang": "en"})
    assert wrong.status_code == 422 and '<a href="#f-code">Check the code.' in wrong.text
    r = await post_form(client, f"{BASE}/code", {"code": inv.code.lower().replace("-", ""), "lang": "en"})
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}?lang=en"
    start = await client.get(r.headers["location"])
    assert f'href="{BASE}/p/opinions?lang=en"' in start.text


async def test_invitation_pages_need_the_invitation(client: AsyncClient, db: Database) -> None:
    await open_survey(db, access="invitation")
    r = await client.get(f"{BASE}/p/opinions?lang=en")
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}?lang=en"
    r = await answer(client, "opinions", {"GETON": "1"})
    assert r.status_code == 303 and await count_rows(db, "response") == 0


async def test_pages_are_not_cached_and_send_no_referrer(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get(f"{BASE}/p/opinions?lang=en")
    assert r.headers["cache-control"] == "no-store" and r.headers["referrer-policy"] == "no-referrer"


async def test_forms_without_the_csrf_token_are_refused(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    await client.get("/")
    r = await client.post(f"{BASE}/p/opinions", data={"GETON": "1", "lang": "en"})
    assert r.status_code == 403 and await count_rows(db, "response") == 0


async def test_unknown_survey_page_is_a_friendly_404(client: AsyncClient) -> None:
    r = await client.get("/s/nope?lang=en")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in r.text


async def test_too_many_new_respondents_from_one_address_get_a_page_saying_so(
    client: AsyncClient, db: Database
) -> None:
    await open_survey(db)
    for _ in range(120):
        client.cookies.delete("survey-session")
        assert (await answer(client, "opinions", {"GETON": "1"})).status_code == 303
    client.cookies.delete("survey-session")
    r = await answer(client, "opinions", {"GETON": "1"})
    assert r.status_code == 429 and "Too many attempts." in r.text
    assert await count_rows(db, "response") == 120


async def test_a_reused_blank_page_carries_each_clients_own_csrf_token(
    client: AsyncClient, db: Database, settings: Any
) -> None:
    await open_survey(db)
    first = await client.get(f"{BASE}/p/opinions?lang=en")
    mine = re.search(r'name="_csrf_token" value="([^"]+)"', first.text)
    assert mine and mine.group(1) == csrf(client)
    from httpx import ASGITransport

    from survey_service.app import create_app

    other_app = create_app(settings, db)  # same process cache, another browser
    async with AsyncClient(transport=ASGITransport(app=other_app), base_url="http://testserver") as other:
        second = await other.get(f"{BASE}/p/opinions?lang=en")
        theirs = re.search(r'name="_csrf_token" value="([^"]+)"', second.text)
        assert theirs and theirs.group(1) == str(other.cookies.get("csrftoken")) != mine.group(1)
    assert second.text.replace(theirs.group(1), "T") == first.text.replace(mine.group(1), "T")
    r = await answer(client, "opinions", {"GETON": "1", "TRUST": "5", "CONTACT": "never"})
    assert r.status_code == 303  # the token in the reused page is accepted


async def test_a_staff_change_to_a_wave_is_seen_at_once(client: AsyncClient, db: Database) -> None:
    survey = await open_survey(db)
    assert (await client.get(f"{BASE}?lang=en")).status_code == 200
    async with db.write() as session:
        await session.execute(update(Survey).where(Survey.id == survey.id).values(status="closed"))
    assert (await client.get(f"{BASE}?lang=en")).status_code == 410


async def test_when_the_wave_is_reread_one_request_reads_and_the_others_do_not_wait(
    db: Database, monkeypatch: Any
) -> None:
    import asyncio

    from survey_service.domain.responses import services

    await open_survey(db)
    first = await services.survey_context(db, "mini-2026")
    monkeypatch.setattr(services, "CONTEXT_TTL_SECONDS", 0.0)  # every call finds the entry expired
    reads = 0
    real = services._read_context

    async def counted(session: Any, slug: str) -> Any:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.05)
        return await real(session, slug)

    monkeypatch.setattr(services, "_read_context", counted)
    contexts = await asyncio.gather(*(services.survey_context(db, "mini-2026") for _ in range(20)))
    assert reads == 1  # one request rereads; the other 19 used the previous read meanwhile
    assert {c.id for c in contexts} == {first.id}


async def test_valid_invitation_links_from_one_address_never_count_as_failed_attempts(
    client: AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    issued = await invitations(db, survey, 30)
    for inv in issued:  # thirty residents behind one address (a library, a school)
        client.cookies.delete("survey-session")
        r = await client.get(BASE, params={"token": inv.token, "lang": "en"})
        assert r.status_code == 303, r.text
    for _ in range(20):
        wrong = await post_form(client, f"{BASE}/code", {"code": "AAAA-BBBB-CCCC", "lang": "en"})
        assert wrong.status_code == 422
    refused = await client.get(BASE, params={"token": issued[0].token, "lang": "en"})
    assert refused.status_code == 429 and "Too many attempts." in refused.text


async def test_a_copy_of_the_database_cannot_link_an_invitees_partial_answers_to_their_strata(
    client: AsyncClient, db: Database
) -> None:
    import hashlib
    import hmac

    from sqlalchemy import select

    from survey_service.db.models import Invitation

    survey = await open_survey(db, access="invitation")
    async with db.write() as session:
        from survey_service.domain.invitations.services import create_invitations

        issued = await create_invitations(session, survey, 6, [{"area": a} for a in "AABBCC"])
    invited = issued[3]
    await client.get(BASE, params={"token": invited.token, "lang": "en"})
    await answer(client, "opinions", {"GETON": "1"})
    [(status, _, _, key)] = await stored(db)
    assert status == "partial" and key
    # everything a copy of the database (or a backup) holds about the invitations
    async with db.read() as session:
        rows = list(await session.scalars(select(Invitation)))
    guesses = {}
    for inv in rows:
        for material in (str(inv.id), inv.id.hex, inv.token_hash, inv.code_hash or ""):
            for secret in (f"invitation:{material}", material):
                guesses[hashlib.sha256(b"resume:" + secret.encode()).hexdigest()] = inv.strata
                guesses[hmac.new(b"", secret.encode(), hashlib.sha256).hexdigest()] = inv.strata
    assert key not in guesses
    # the invitee's own link still finds the answers
    client.cookies.delete("survey-session")
    again = await client.get(BASE, params={"token": invited.token, "lang": "en"})
    assert again.status_code == 303 and "/p/" in again.headers["location"]


async def test_made_up_session_cookies_neither_bypass_the_new_response_limit_nor_test_resume_codes(
    client: AsyncClient, db: Database
) -> None:
    import secrets

    await open_survey(db)
    first = await answer(client, "opinions", {"GETON": "1"}, action="save")
    own = re.search(r'<p class="resume-code" dir="ltr" translate="no">([A-Z0-9-]+)</p>', first.text)
    assert own is not None
    for _ in range(125):
        client.cookies.set("survey-session", f"o:{secrets.token_hex(6).upper()}", path="/s/mini-2026")
        r = await answer(client, "opinions", {"GETON": "1"})
        if r.status_code == 429:
            break
    assert r.status_code == 429
    assert await count_rows(db, "response") == 120
    # a cookie naming a real resume code, without the server's MAC, is not a session either
    client.cookies.set("survey-session", f"o:{own.group(1).replace('-', '')}", path="/s/mini-2026")
    page = await client.get(f"{BASE}/p/opinions", params={"lang": "en"})
    assert 'value="1" checked' not in page.text
