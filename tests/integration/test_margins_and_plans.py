"""Population margins are checked before they are stored; plans group waves, name a baseline, hold targets."""

from __future__ import annotations

import pytest

from survey_service.db.engine import Database
from survey_service.domain.imports.services import import_responses
from survey_service.domain.plans import services as plans
from survey_service.domain.weighting.services import get_margins, set_margins
from survey_service.errors import BadRequest, Conflict, Unprocessable
from tests.helpers import ORACLE, synthetic_wave

MARGINS = (ORACLE / "margins.csv").read_bytes()


async def _wave_with_answers(db: Database) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    async with db.write() as session:
        await import_responses(session, "syn-1", ORACLE / "wave1.csv")


async def test_valid_margins_are_stored(db: Database) -> None:
    await _wave_with_answers(db)
    async with db.write() as session:
        await set_margins(session, "syn-1", MARGINS)
    async with db.read() as session:
        from survey_service.domain.surveys.services import get_survey

        stored = await get_margins(session, await get_survey(session, "syn-1"))
    assert stored["lang"] == {"domestic": 64200.0, "foreign": 3800.0}
    assert sum(stored["area"].values()) == 68000


@pytest.mark.parametrize(
    ("edit", "item", "message"),
    [
        (lambda t: t.replace("age,18_29", "agegroup,18_29"), "line 2", "'agegroup' is not a single-choice question"),
        (lambda t: t.replace("area,valkeala", "area,harbour"), "line 14", "'harbour' is not a category of area"),
        (lambda t: t.replace("lang,foreign,3800", "lang,foreign,3900"), "lang", "categories add up to 68100"),
        (lambda t: t.replace("gender,male,33700", "gender,male,-1"), "line 7", "population must be a positive number"),
    ],
)
async def test_margin_problems_are_named(db: Database, edit, item: str, message: str) -> None:  # type: ignore[no-untyped-def]
    await _wave_with_answers(db)
    data = edit(MARGINS.decode()).encode()
    with pytest.raises(Unprocessable) as exc:
        async with db.write() as session:
            await set_margins(session, "syn-1", data)
    assert any(e.item == item and message in e.message for e in exc.value.errors), exc.value.errors


async def test_margin_category_absent_from_the_sample_is_an_error(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await synthetic_wave(db, "syn-1", 2023)
    path = tmp_path / "few.csv"
    path.write_text("age,gender,lang,area\n18_29,female,domestic,centre\n30_44,male,domestic,centre\n")
    async with db.write() as session:
        await import_responses(session, "syn-1", path)
    data = b"variable,category,population\nlang,domestic,64200\nlang,foreign,3800\n"
    with pytest.raises(Unprocessable) as exc:
        async with db.write() as session:
            await set_margins(session, "syn-1", data)
    assert exc.value.errors[0].item == "lang = foreign"
    assert "no respondent in this category" in exc.value.errors[0].message


async def test_plan_waves_baseline_and_targets(db: Database) -> None:
    async with db.write() as session:
        plan = await plans.create_plan(
            session, slug="kk", name="Kaikkien Kouvola 2023–2025", start_year=2023, end_year=2025
        )
    await synthetic_wave(db, "syn-1", 2023, plan)
    await synthetic_wave(db, "syn-2", 2025)
    async with db.write() as session:
        await plans.add_wave(session, "kk", "syn-2")
        await plans.set_baseline(session, "kk", "syn-2")
        target = await plans.set_target(session, "kk", "BEL", direction="increase", value=0.7, year=2025)
        assert (target.direction, target.value, target.year) == ("increase", 0.7, 2025)
        again = await plans.set_target(session, "kk", "BEL", direction="increase")
        assert again.id == target.id and again.value is None
    async with db.read() as session:
        p = await plans.get_plan(session, "kk")
        assert [w.slug for w in await plans.plan_waves(session, p)] == ["syn-1", "syn-2"]
        base = await plans.baseline_of(session, p)
        assert base is not None and base.slug == "syn-2"
    async with db.write() as session:
        with pytest.raises(BadRequest, match="not an indicator"):
            await plans.set_target(session, "kk", "TRUST", direction="increase")
        with pytest.raises(BadRequest, match="outside the plan period"):
            await plans.set_target(session, "kk", "BEL", direction="increase", value=0.8, year=2030)
        with pytest.raises(Conflict):
            await plans.create_plan(session, slug="kk", name="x", start_year=2023, end_year=2025)
        with pytest.raises(BadRequest, match="ends"):
            await plans.create_plan(session, slug="kk2", name="x", start_year=2025, end_year=2023)
