"""Staff work on feedback cases, redaction, retention and counts — on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_service.db.engine import Database
from survey_service.db.models import (
    AuditEvent,
    FeedbackCase,
    FeedbackContact,
    FeedbackEvent,
    FeedbackNote,
    StaffUser,
)
from survey_service.db.models.feedback_case import Kind, Status, Topic
from survey_service.domain.audit.services import COMMAND_LINE, Actor
from survey_service.domain.feedback import services
from survey_service.errors import BadRequest, Conflict
from survey_service.personal_data import DataKind


async def staff(db: Database, username: str = "handler", role: str = "feedback_handler", active: bool = True) -> Actor:
    async with db.write() as session:
        user = StaffUser(username=username, role=role, active=active)
        session.add(user)
        await session.flush()
        return Actor(name=username, channel="web", id=user.id)


async def send(db: Database, text: str = "Hyvä palvelu.", contact: str | None = None, **fields: str) -> uuid.UUID:
    values = {"language": "fi", "topic": "library", "kind": "praise", **fields}
    submission = services.check_submission(text=text, contact=contact, **values)
    async with db.write() as session:
        code = await services.submit(session, submission)
        case = (
            await session.scalars(select(FeedbackCase).where(FeedbackCase.receipt_hash == services.receipt_hash(code)))
        ).one()
        return case.id


async def add_cases(db: Database, rows: Iterable[tuple[date, str, str, str, int]]) -> None:
    """Cases received on given days: (day, topic, kind, language, how many)."""
    async with db.write() as session:
        for day, topic, kind, language, n in rows:
            for _ in range(n):
                session.add(
                    FeedbackCase(
                        receipt_hash=uuid.uuid4().hex,
                        language=language,
                        topic=topic,
                        kind=kind,
                        text="x",
                        tags=[],
                        created_on=day,
                    )
                )


async def test_inbox_filters_by_status_topic_kind_and_language(db: Database) -> None:
    a = await send(db, topic="school", kind="discrimination", language="ar")
    b = await send(db, topic="school", kind="suggestion", language="fi")
    c = await send(db, topic="housing", kind="discrimination", language="ar")
    actor = await staff(db)
    async with db.write() as session:
        await services.set_status(session, await services.get_case(session, c), Status.IN_PROGRESS, actor)
    async with db.read() as session:

        async def ids(**filters: object) -> set[uuid.UUID]:
            return {s.id for s in await services.list_cases(session, **filters)}  # type: ignore[arg-type]

        assert await ids() == {a, b, c}
        assert await ids(topic=Topic.SCHOOL) == {a, b}
        assert await ids(kind=Kind.DISCRIMINATION) == {a, c}
        assert await ids(language="ar") == {a, c}
        assert await ids(status=Status.NEW) == {a, b}
        assert await ids(status=Status.IN_PROGRESS, language="ar") == {c}
        assert await ids(topic=Topic.SCHOOL, kind=Kind.SUGGESTION, language="ar") == set()


async def test_inbox_lines_flag_personal_data_and_a_wish_for_a_reply(db: Database) -> None:
    await send(db, "Hei Matti, soita 040 123 4567.", contact="resident@example.fi")
    async with db.read() as session:
        [line] = await services.list_cases(session)
    assert line.personal_data and line.reply_wanted and line.excerpt == "Hei Matti, soita 040 123 4567."


async def test_the_inbox_reads_the_personal_data_flag_found_at_submission(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    flagged = await send(db, "Hei Matti, soita 040 123 4567.")
    await send(db, "Hyvä palvelu.")
    actor = await staff(db)

    def not_again(text: str) -> list[object]:
        raise AssertionError("the inbox searched a text for personal data again")

    with monkeypatch.context() as m:
        m.setattr(services, "find_personal_data", not_again)
        async with db.read() as session:
            lines = await services.list_cases(session)
    assert {line.id: line.personal_data for line in lines}[flagged] is True
    assert sorted(line.personal_data for line in lines) == [False, True]
    async with db.write() as session:
        await services.redact_case(session, await services.get_case(session, flagged), actor)
    async with db.read() as session:
        assert not any(line.personal_data for line in await services.list_cases(session))


async def test_assigning_needs_an_active_staff_user(db: Database) -> None:
    case_id = await send(db)
    actor = await staff(db)
    await staff(db, "other")
    await staff(db, "gone", active=False)
    await staff(db, "counter", "analyst")
    async with db.write() as session:
        case = await services.get_case(session, case_id)
        await services.assign(session, case, "other", actor)
        for nobody in ("gone", "nobody", "counter"):
            with pytest.raises(BadRequest):
                await services.assign(session, case, nobody, actor)
    async with db.read() as session:
        view = await services.case_view(session, await services.get_case(session, case_id))
        mine = await services.list_cases(session, assignee="other")
        theirs = await services.list_cases(session, assignee="handler")
    assert view.assignee == "other" and [c.id for c in mine] == [case_id] and theirs == []
    assert [(e.action, e.actor, e.detail) for e in view.events] == [("assigned", "handler", {"assignee": "other"})]


async def test_notes_stay_internal_and_tags_are_normalised(db: Database) -> None:
    case_id = await send(db)
    actor = await staff(db)
    async with db.write() as session:
        case = await services.get_case(session, case_id)
        for note in ("Soitettu kirjastoon.", "Kirjasto vastasi.", "Vastaus lähetetty."):
            await services.add_note(session, case, note, actor)
        await services.set_tags(session, case, [" Aukioloajat ", "aukioloajat", "saavutettavuus"], actor)
        with pytest.raises(BadRequest):
            await services.set_tags(session, case, ["x" * 41], actor)
    async with db.read() as session:
        view = await services.case_view(session, await services.get_case(session, case_id))
    assert view.tags == ["aukioloajat", "saavutettavuus"]
    assert [(n.author, n.text) for n in view.notes] == [  # in the order written, all on one day
        ("handler", "Soitettu kirjastoon."),
        ("handler", "Kirjasto vastasi."),
        ("handler", "Vastaus lähetetty."),
    ]


async def test_reply_is_delivered_only_where_a_contact_was_given(db: Database) -> None:
    with_contact = await send(db, contact="040 123 4567", language="so")
    anonymous = await send(db)
    actor = await staff(db)
    async with db.write() as session:
        outgoing = await services.reply(session, await services.get_case(session, with_contact), "Mahadsanid.", actor)
        nothing = await services.reply(session, await services.get_case(session, anonymous), "Kiitos!", actor)
    assert outgoing is not None and nothing is None
    assert (outgoing.channel, outgoing.address, outgoing.language, outgoing.text) == (
        "phone",
        "0401234567",
        "so",
        "Mahadsanid.",
    )
    async with db.read() as session:
        case = await services.get_case(session, with_contact)
    assert (case.status, case.reply) == ("answered", "Mahadsanid.")


async def test_closing_deletes_the_contact_and_reopening_keeps_it_gone(db: Database) -> None:
    case_id = await send(db, contact="resident@example.fi")
    actor = await staff(db)
    async with db.write() as session:
        case = await services.get_case(session, case_id)
        with pytest.raises(Conflict):
            await services.set_status(session, case, Status.ANSWERED, actor)  # no reply yet
        await services.set_status(session, case, Status.CLOSED, actor)
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackContact)) == 0
        case = await services.get_case(session, case_id)
        assert (case.status, case.closed_on) == ("closed", date.today())
    async with db.write() as session:
        case = await services.get_case(session, case_id)
        with pytest.raises(Conflict):
            await services.reply(session, case, "Kiitos", actor)
        await services.set_status(session, case, Status.IN_PROGRESS, actor)
        assert case.closed_on is None
    async with db.read() as session:
        view = await services.case_view(session, await services.get_case(session, case_id))
    assert view.reply_channel is None
    assert [e.action for e in view.events] == ["status", "contact_deleted", "status"]


async def test_redaction_replaces_personal_data_and_records_only_that_it_happened(db: Database) -> None:
    text = "Hei Matti, soita minulle 040-123 4567 tai matti@example.fi. Hetuni on 131052-308T."
    case_id = await send(db, text)
    actor = await staff(db)
    async with db.read() as session:
        before = await services.case_view(session, await services.get_case(session, case_id))
    assert [(p.kind, text[p.start : p.end]) for p in before.personal_data] == [
        (DataKind.NAME, "Matti"),
        (DataKind.PHONE, "040-123 4567"),
        (DataKind.EMAIL, "matti@example.fi"),
        (DataKind.IDENTITY_CODE, "131052-308T"),
    ]
    async with db.write() as session:
        removed = await services.redact_case(session, await services.get_case(session, case_id), actor)
    assert sum(removed.values()) == 4
    async with db.read() as session:
        after = await services.case_view(session, await services.get_case(session, case_id))
        events = list(await session.scalars(select(FeedbackEvent)))
        [audit] = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.redact")))
    assert after.text == "Hei [name], soita minulle [phone] tai [email]. Hetuni on [identity code]."
    assert after.personal_data == []
    [event] = events
    assert (event.action, event.actor_id) == ("redacted", actor.id)
    assert event.detail == {"removed": {"email": 1, "identity_code": 1, "name": 1, "phone": 1}}
    assert (audit.actor, audit.target, audit.detail) == ("handler", str(case_id), event.detail)
    for removed_text in ("Matti", "040", "matti@example.fi", "131052"):
        assert removed_text not in str(event.detail) and removed_text not in str(audit.detail)
    async with db.write() as session:  # a second click finds nothing and records nothing
        assert not await services.redact_case(session, await services.get_case(session, case_id), actor)
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackEvent)) == 1


async def closed_on(db: Database, case_id: uuid.UUID, day: date) -> None:
    async with db.write() as session:
        case = await services.get_case(session, case_id)
        await services.set_status(session, case, Status.CLOSED, COMMAND_LINE)
        case.closed_on = day


async def test_purge_deletes_exactly_the_text_of_cases_closed_before_the_cutoff(db: Database) -> None:
    on = date(2026, 11, 28)
    cutoff = date(2024, 11, 28)
    actor = await staff(db)
    due = await send(db, "vanha")
    on_cutoff = await send(db, "rajalla")
    day_after = await send(db, "päivää myöhemmin")
    still_open = await send(db, "auki")
    for case_id, day in ((due, cutoff - timedelta(days=400)), (on_cutoff, cutoff), (day_after, cutoff + timedelta(1))):
        await closed_on(db, case_id, day)
    async with db.write() as session:
        for case_id in (due, on_cutoff, still_open):
            case = await services.get_case(session, case_id)
            await services.add_note(session, case, "sisäinen muistiinpano", actor)
        (await services.get_case(session, due)).reply = "vastaus"
        (await services.get_case(session, still_open)).created_on = cutoff - timedelta(days=30)

    async with db.write() as session:
        dry = await services.purge(session, months=24, on=on, dry_run=True)
    assert dry.cutoff == cutoff and dry.dry_run
    assert [c.id for c in dry.cases] == [due, on_cutoff]
    assert dry.open_before_cutoff == 1
    async with db.read() as session:
        assert (await services.get_case(session, due)).text == "vanha"  # a dry run changes nothing

    async with db.write() as session:
        report = await services.purge(session, months=24, on=on)
    assert [c.id for c in report.cases] == [due, on_cutoff]
    async with db.read() as session:
        texts = {i: (await services.get_case(session, i)).text for i in (due, on_cutoff, day_after, still_open)}
        purged = await services.get_case(session, due)
        notes = list(await session.scalars(select(FeedbackNote.case_id)))
        purge_events = await session.scalar(
            select(func.count()).select_from(FeedbackEvent).where(FeedbackEvent.action == "purged")
        )
    assert texts == {due: None, on_cutoff: None, day_after: "päivää myöhemmin", still_open: "auki"}
    assert (purged.reply, purged.purged_on, purged.topic, purged.kind, purged.language) == (
        None,
        on,
        "library",
        "praise",
        "fi",
    )
    assert notes == [still_open]
    assert purge_events == 2

    async with db.write() as session:  # idempotent: nothing more to do
        again = await services.purge(session, months=24, on=on)
    assert again.cases == []
    async with db.write() as session:
        with pytest.raises(Conflict):
            await services.set_status(session, await services.get_case(session, due), Status.IN_PROGRESS, actor)


async def test_counts_hide_small_cells_and_what_would_reveal_them(db: Database) -> None:
    await add_cases(
        db,
        [
            (date(2026, 2, 1), "school", "suggestion", "fi", 12),
            (date(2026, 2, 3), "school", "suggestion", "sv", 6),
            (date(2026, 5, 1), "school", "praise", "fi", 3),  # below 5
            (date(2026, 5, 2), "housing", "discrimination", "ar", 7),  # sensitive: below 10
            (date(2026, 6, 1), "housing", "discrimination", "fi", 11),
            (date(2026, 6, 1), "library", "praise", "fi", 20),
            (date(2026, 6, 2), "leisure", "praise", "fi", 8),
            (date(2026, 6, 3), "library", "praise", "sv", 9),
            (date(2025, 12, 31), "school", "praise", "fi", 1),  # another year
        ],
    )
    async with db.read() as session:
        table = await services.counts(session, year=2026)
    cell = {(c.topic, c.kind, c.language): c.count for c in table.cells}
    assert len(cell) == (9 * 4 + 1) * (10 + 1)
    assert cell["school", "praise", "fi"] is None
    assert cell["housing", "discrimination", "ar"] is None
    assert cell["early_childhood", "praise", "fi"] is None  # zero is below 5 too
    assert cell["all", "all", "all"] == 76
    assert cell["library", "praise", "all"] == 29
    shown = [c for c in table.cells if c.count is not None]
    unused = {c.language for c in shown if (c.topic, c.kind, c.count) == ("all", "all", 0)}
    assert unused == {"en", "ru", "et", "so", "fa", "uk", "fi-x-selko"}  # a language nobody wrote in shows 0
    assert not [c for c in shown if c.count < 5 and c.language not in unused]  # type: ignore[operator]
    assert not [c for c in shown if c.kind == "discrimination" and c.count < 10]  # type: ignore[operator]
    # No hidden count can be read off its row or column as the total minus the rest.
    hidden_per_line: dict[tuple[str, ...], int] = {}
    for c in table.cells:
        for line in (("row", c.topic, c.kind), ("column", c.language)):
            hidden_per_line[line] = hidden_per_line.get(line, 0) + (c.count is None)
    assert 1 not in hidden_per_line.values()
    assert {c.period for c in table.cells} == {"2026"}


async def test_counts_per_quarter(db: Database) -> None:
    await add_cases(
        db, [(date(2026, 2, 1), "school", "suggestion", "fi", 6), (date(2026, 8, 1), "other", "other", "en", 5)]
    )
    async with db.read() as session:
        table = await services.counts(session, year=2026, period="quarter")
    totals = {c.period: c.count for c in table.cells if (c.topic, c.kind, c.language) == ("all", "all", "all")}
    assert totals == {"2026-Q1": 6, "2026-Q2": 0, "2026-Q3": 5, "2026-Q4": 0}
