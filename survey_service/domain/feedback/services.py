"""Resident feedback: checking and storing messages, receipts, staff triage, redaction, retention, counts.

Every channel (the JSON API and the resident form) checks a message with ``check_submission``; its
messages are msgids, so pages show them translated and the API in English.
"""

from __future__ import annotations

import calendar
import hashlib
import secrets
import unicodedata
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date

import msgspec
import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.disclosure import DisclosureRules, protect_counts
from survey_service.db.base import today
from survey_service.db.models import FeedbackCase, FeedbackContact, FeedbackEvent, FeedbackNote, StaffUser
from survey_service.db.models.feedback_case import Kind, Status, Topic
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.auth.permissions import allows
from survey_service.domain.feedback import schemas
from survey_service.domain.feedback.outbox import OutgoingReply
from survey_service.errors import BadRequest, Conflict, ItemError, NotFound
from survey_service.languages import SUPPORTED
from survey_service.personal_data import DataKind, find_personal_data, is_email, is_phone, redact

TEXT_MAX = schemas.TEXT_MAX
TAG_MAX_LENGTH = 40
TAGS_MAX = 20
EXCERPT_LENGTH = 160
# The project's count rules: no count under 5 (zeros included), under 10 for experiences of
# discrimination. The base rules of share tables (no estimate on a base under 30) do not apply to counts.
COUNT_RULES = DisclosureRules(min_base=0, caution_base=0)
ALL = "all"
HANDLE = "feedback:handle"  # the permission of the inbox
TOPICS = frozenset(t.value for t in Topic)
KINDS = frozenset(k.value for k in Kind)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here."""
    return message


class Messages:
    """Validation messages (msgids): English in the API, translated on pages."""

    LANGUAGE = N_("Choose one of the languages of the service.")
    TOPIC = N_("Choose what your feedback is about.")
    KIND = N_("Choose what kind of feedback this is.")
    TEXT_EMPTY = N_("Write your feedback.")
    TEXT_LONG = N_("Your feedback can be at most 5,000 characters long.")
    TEXT_CONTROL = N_("The text contains control characters that cannot be saved. Remove them and try again.")
    CONTACT = N_("Give an email address (name@example.fi) or a phone number (040 123 4567 or +358 40 123 4567).")
    CONTACT_MISSING = N_("Give an email address or a phone number for the reply.")
    CONTACT_UNWANTED = N_("Tick “I would like a reply” or leave the contact empty.")


# ---------------------------------------------------------------------------------------------------
# Receipt codes: 16 Crockford base32 characters (80 random bits) in four groups, stored as SHA-256 only.
# With 80 bits of entropy an unkeyed hash cannot be reversed by trying codes, and receipts survive a
# change of the secret key.

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 16
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


def new_receipt() -> str:
    """A fresh receipt code, e.g. ``7K3M-Q9XD-2H4T-WB8E``."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt(code: str) -> str | None:
    """The 16 characters of a receipt as typed (any case, spaces, hyphens, I/L for 1, O for 0), or None."""
    s = code.strip().upper().translate(_CONFUSABLE)
    if len(s) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in s):
        return None
    return s


def receipt_hash(code: str) -> str | None:
    normal = normalise_receipt(code)
    return hashlib.sha256(normal.encode()).hexdigest() if normal else None


# ---------------------------------------------------------------------------------------------------
# Checking a message


class Contact(msgspec.Struct, frozen=True):
    kind: str  # email | phone
    value: str


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    """A checked message, ready to store."""

    language: str
    topic: Topic
    kind: Kind
    text: str
    contact: Contact | None


def clean_text(value: str, item: str, errors: list[ItemError]) -> str:
    """``value`` with line ends unified and trimmed; appends an error when empty, too long or with controls."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        errors.append(ItemError(item, Messages.TEXT_CONTROL))
    elif not text:
        errors.append(ItemError(item, Messages.TEXT_EMPTY))
    elif len(text) > TEXT_MAX:
        errors.append(ItemError(item, Messages.TEXT_LONG))
    return text


def _clean_contact(value: str, errors: list[ItemError]) -> Contact | None:
    value = value.strip()
    if is_email(value):
        return Contact("email", value)
    if is_phone(value):
        return Contact("phone", "".join(c for c in value if c.isdigit() or c == "+"))
    errors.append(ItemError("contact", Messages.CONTACT))
    return None


def check_submission(
    *,
    language: str,
    topic: str,
    kind: str,
    text: str,
    contact: str | None = None,
    reply_wanted: bool | None = None,
) -> Submission:
    """Check a message from any channel; raises ``BadRequest`` listing every problem, field by field.

    ``reply_wanted`` is the form's "I would like a reply" box; the API leaves it out (a contact means yes).
    """
    errors: list[ItemError] = []
    if language not in SUPPORTED:
        errors.append(ItemError("language", Messages.LANGUAGE))
    if topic not in TOPICS:
        errors.append(ItemError("topic", Messages.TOPIC))
    if kind not in KINDS:
        errors.append(ItemError("kind", Messages.KIND))
    cleaned = clean_text(text, "text", errors)
    contact = (contact or "").strip()
    if reply_wanted is None:
        reply_wanted = bool(contact)
    checked_contact = None
    if reply_wanted and not contact:
        errors.append(ItemError("contact", Messages.CONTACT_MISSING))
    elif contact and not reply_wanted:
        errors.append(ItemError("contact", Messages.CONTACT_UNWANTED))
    elif contact:
        checked_contact = _clean_contact(contact, errors)
    if errors:
        raise BadRequest("The feedback is not valid.", errors)
    return Submission(language=language, topic=Topic(topic), kind=Kind(kind), text=cleaned, contact=checked_contact)


# ---------------------------------------------------------------------------------------------------
# Residents: sending and reading back


async def submit(session: AsyncSession, submission: Submission) -> str:
    """Store a checked message; returns its receipt code (the only time the code exists in the clear)."""
    code = new_receipt()
    case = FeedbackCase(
        receipt_hash=receipt_hash(code),
        language=submission.language,
        topic=submission.topic.value,
        kind=submission.kind.value,
        text=submission.text,
        personal_data=bool(submission.text and find_personal_data(submission.text)),
        tags=[],
    )
    session.add(case)
    await session.flush()
    if submission.contact is not None:
        session.add(FeedbackContact(case_id=case.id, kind=submission.contact.kind, value=submission.contact.value))
    return code


async def status_by_receipt(session: AsyncSession, code: str) -> schemas.FeedbackStatus:
    """The status and the reply of the case with this receipt; never the message."""
    digest = receipt_hash(code)
    case = None
    if digest is not None:
        case = (await session.scalars(select(FeedbackCase).where(FeedbackCase.receipt_hash == digest))).first()
    if case is None:
        raise NotFound("no feedback with this receipt code")
    return schemas.FeedbackStatus(status=Status(case.status), reply=case.reply)


# ---------------------------------------------------------------------------------------------------
# Staff: the inbox


async def _usernames(session: AsyncSession, ids: Sequence[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(StaffUser.id, StaffUser.username).where(StaffUser.id.in_(wanted)))
    return {row.id: row.username for row in rows}


async def list_cases(
    session: AsyncSession,
    *,
    status: Status | None = None,
    topic: Topic | None = None,
    kind: Kind | None = None,
    language: str | None = None,
    assignee: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[schemas.FeedbackCaseSummary]:
    """Cases matching every given filter, newest first."""
    query = select(FeedbackCase)
    for column, value in (
        (FeedbackCase.status, status),
        (FeedbackCase.topic, topic),
        (FeedbackCase.kind, kind),
        (FeedbackCase.language, language),
    ):
        if value is not None:
            query = query.where(column == value)
    if assignee is not None:
        query = query.join(StaffUser, StaffUser.id == FeedbackCase.assignee_id).where(StaffUser.username == assignee)
    query = query.order_by(FeedbackCase.created_on.desc(), FeedbackCase.id).limit(limit).offset(offset)
    cases = list(await session.scalars(query))
    names = await _usernames(session, [c.assignee_id for c in cases])
    with_contact = set(
        await session.scalars(select(FeedbackContact.case_id).where(FeedbackContact.case_id.in_([c.id for c in cases])))
    )
    return [
        schemas.FeedbackCaseSummary(
            id=c.id,
            created_on=c.created_on,
            status=Status(c.status),
            topic=Topic(c.topic),
            kind=Kind(c.kind),
            language=c.language,
            assignee=names.get(c.assignee_id) if c.assignee_id else None,
            tags=list(c.tags),
            excerpt=_excerpt(c.text),
            personal_data=c.personal_data,
            reply_wanted=c.id in with_contact,
        )
        for c in cases
    ]


def _excerpt(text: str | None) -> str | None:
    if text is None or len(text) <= EXCERPT_LENGTH:
        return text
    return text[: EXCERPT_LENGTH - 1].rstrip() + "…"


async def get_case(session: AsyncSession, case_id: uuid.UUID) -> FeedbackCase:
    case = await session.get(FeedbackCase, case_id)
    if case is None:
        raise NotFound(f"no feedback case {case_id}")
    return case


async def case_view(session: AsyncSession, case: FeedbackCase) -> schemas.FeedbackCase:
    """Everything staff see of a case: text with personal-data spans, notes, the audit trail."""
    notes = list(
        await session.scalars(select(FeedbackNote).where(FeedbackNote.case_id == case.id).order_by(FeedbackNote.number))
    )
    events = list(
        await session.scalars(
            select(FeedbackEvent).where(FeedbackEvent.case_id == case.id).order_by(FeedbackEvent.number)
        )
    )
    contact = (await session.scalars(select(FeedbackContact).where(FeedbackContact.case_id == case.id))).first()
    names = await _usernames(session, [case.assignee_id, *(n.author_id for n in notes), *(e.actor_id for e in events)])

    def name(user_id: uuid.UUID | None) -> str | None:
        return names.get(user_id) if user_id else None

    return schemas.FeedbackCase(
        id=case.id,
        created_on=case.created_on,
        closed_on=case.closed_on,
        purged_on=case.purged_on,
        status=Status(case.status),
        topic=Topic(case.topic),
        kind=Kind(case.kind),
        language=case.language,
        assignee=name(case.assignee_id),
        tags=list(case.tags),
        text=case.text,
        personal_data=[
            schemas.PersonalDataSpan(kind=f.kind, start=f.start, end=f.end) for f in find_personal_data(case.text or "")
        ],
        reply=case.reply,
        replied_on=case.replied_on,
        reply_channel=contact.kind if contact else None,
        notes=[
            schemas.FeedbackNote(id=n.id, author=name(n.author_id), created_on=n.created_on, text=n.text) for n in notes
        ],
        events=[
            schemas.FeedbackEvent(action=e.action, actor=name(e.actor_id), happened_on=e.happened_on, detail=e.detail)
            for e in events
        ],
    )


async def _next_number(
    session: AsyncSession, model: type[FeedbackEvent] | type[FeedbackNote], case: FeedbackCase
) -> int:
    """The next position in a case's history or notes: with dates only, the order within a day needs it."""
    return (await session.scalar(select(func.count()).select_from(model).where(model.case_id == case.id)) or 0) + 1


async def _event(session: AsyncSession, case: FeedbackCase, actor: Actor | None, action: str, **detail: object) -> None:
    """One step of the case's history (``actor`` None: the service itself)."""
    number = await _next_number(session, FeedbackEvent, case)
    actor_id = actor.id if actor else None
    session.add(FeedbackEvent(case_id=case.id, number=number, actor_id=actor_id, action=action, detail=detail))


async def assign(session: AsyncSession, case: FeedbackCase, username: str | None, actor: Actor) -> None:
    """Give the case to a staff member by username (None: to nobody)."""
    assignee = None
    if username is not None:
        user = (await session.scalars(select(StaffUser).where(StaffUser.username == username))).first()
        if user is None or not user.active or not allows(user.role, HANDLE):
            message = f"{username!r} is not an active staff account that handles feedback"
            raise BadRequest(message, [ItemError("assignee", message)])
        assignee = user.id
    if assignee == case.assignee_id:
        return
    case.assignee_id = assignee
    await _event(session, case, actor, "assigned", assignee=username)


async def set_status(session: AsyncSession, case: FeedbackCase, status: Status, actor: Actor) -> None:
    """Move the case to ``status``. Closing deletes the contact; a purged case cannot be reopened."""
    if status.value == case.status:
        return
    if case.purged_on is not None:
        raise Conflict("the text of this case has been deleted under the retention rule; it stays closed")
    if status is Status.ANSWERED and case.reply is None:
        raise Conflict("write a reply before marking the case answered")
    case.status = status.value
    case.closed_on = today() if status is Status.CLOSED else None
    await _event(session, case, actor, "status", status=status.value)
    if status is Status.CLOSED:
        removed = await session.execute(delete(FeedbackContact).where(FeedbackContact.case_id == case.id))
        if getattr(removed, "rowcount", 0):
            await _event(session, case, None, "contact_deleted")
            await record(session, actor, "feedback.contact_delete", str(case.id))


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags lower-cased, trimmed and deduplicated in order; raises ``BadRequest`` naming a bad one."""
    out: list[str] = []
    for i, raw in enumerate(tags):
        tag = " ".join(raw.split()).lower()
        if not tag or len(tag) > TAG_MAX_LENGTH or any(unicodedata.category(c) == "Cc" for c in tag):
            message = f"a tag has 1–{TAG_MAX_LENGTH} characters"
            raise BadRequest(message, [ItemError(f"tags[{i}]", message)])
        if tag not in out:
            out.append(tag)
    if len(out) > TAGS_MAX:
        raise BadRequest(f"at most {TAGS_MAX} tags", [ItemError("tags", f"at most {TAGS_MAX} tags")])
    return out


async def set_tags(session: AsyncSession, case: FeedbackCase, tags: Sequence[str], actor: Actor) -> None:
    cleaned = clean_tags(tags)
    if cleaned != list(case.tags):
        case.tags = cleaned
        await _event(session, case, actor, "tagged", tags=cleaned)


def _checked_text(value: str) -> str:
    errors: list[ItemError] = []
    text = clean_text(value, "text", errors)
    if errors:
        raise BadRequest(errors[0].message, errors)
    return text


async def add_note(session: AsyncSession, case: FeedbackCase, text: str, actor: Actor) -> FeedbackNote:
    """An internal note (never shown to the resident)."""
    if case.purged_on is not None:
        raise Conflict("the case has been purged under the retention rule")
    text = _checked_text(text)
    number = await _next_number(session, FeedbackNote, case)
    note = FeedbackNote(case_id=case.id, number=number, author_id=actor.id, text=text, created_on=today())
    session.add(note)
    await session.flush()
    return note


async def reply(session: AsyncSession, case: FeedbackCase, text: str, actor: Actor) -> OutgoingReply | None:
    """Store the reply (shown on the receipt page) and mark the case answered.

    Returns what to deliver when the resident left a contact; deliver it after the transaction commits.
    """
    if case.status == Status.CLOSED:
        raise Conflict("the case is closed: reopen it to reply")
    case.reply = _checked_text(text)
    case.replied_on = today()
    case.status = Status.ANSWERED.value
    contact = (await session.scalars(select(FeedbackContact).where(FeedbackContact.case_id == case.id))).first()
    await _event(session, case, actor, "replied", delivered_by=contact.kind if contact else None)
    if contact is None:
        return None
    return OutgoingReply(
        case_id=case.id, channel=contact.kind, address=contact.value, language=case.language, text=case.reply
    )


async def redact_case(session: AsyncSession, case: FeedbackCase, actor: Actor) -> Counter[DataKind]:
    """Replace what looks like personal data in the resident's text with placeholders.

    The audit trail records that it happened and how many of each kind — not what was removed.
    """
    if case.text is None:
        return Counter()
    text, removed = redact(case.text)
    if removed:
        case.text = text
        case.personal_data = bool(find_personal_data(text))
        counts = {k.value: n for k, n in sorted(removed.items())}
        await _event(session, case, actor, "redacted", removed=counts)
        await record(session, actor, "feedback.redact", str(case.id), {"removed": counts})
    return removed


# ---------------------------------------------------------------------------------------------------
# Retention


class PurgedCase(msgspec.Struct, frozen=True):
    id: uuid.UUID
    closed_on: date


class PurgeReport(msgspec.Struct, frozen=True, kw_only=True):
    cutoff: date
    dry_run: bool
    cases: list[PurgedCase]
    open_before_cutoff: int


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


async def purge(
    session: AsyncSession,
    *,
    months: int,
    on: date | None = None,
    dry_run: bool = False,
    actor: Actor = COMMAND_LINE,
) -> PurgeReport:
    """Delete the free text (message, reply, internal notes, contact) of cases closed ``months`` ago or more.

    What stays: topic, kind, language, dates, tags and the audit trail — enough for the annual counts.
    Cases already purged are left alone, so running it again changes nothing.
    """
    cutoff = months_before(on or today(), months)
    query = (
        select(FeedbackCase)
        .where(
            FeedbackCase.status == Status.CLOSED.value,
            FeedbackCase.closed_on <= cutoff,
            FeedbackCase.purged_on.is_(None),
        )
        .order_by(FeedbackCase.closed_on, FeedbackCase.id)
    )
    if not dry_run:
        # Two runs at once (PostgreSQL): the second waits for the first, then finds these rows purged.
        # SQLite serialises writers anyway.
        query = query.with_for_update()
    due = list(await session.scalars(query))
    open_before = await session.scalar(
        select(func.count())
        .select_from(FeedbackCase)
        .where(FeedbackCase.status != Status.CLOSED.value, FeedbackCase.created_on <= cutoff)
    )
    report = PurgeReport(
        cutoff=cutoff,
        dry_run=dry_run,
        cases=[PurgedCase(c.id, c.closed_on) for c in due if c.closed_on is not None],
        open_before_cutoff=open_before or 0,
    )
    if dry_run or not due:
        return report
    ids = [c.id for c in due]
    await session.execute(delete(FeedbackNote).where(FeedbackNote.case_id.in_(ids)))
    await session.execute(delete(FeedbackContact).where(FeedbackContact.case_id.in_(ids)))
    for case in due:
        case.text = None
        case.personal_data = False
        case.reply = None
        case.purged_on = on or today()
        await _event(session, case, None, "purged", months=months)
    await record(session, actor, "feedback.purge", f"{len(due)} case(s)", {"months": months, "cutoff": str(cutoff)})
    return report


# ---------------------------------------------------------------------------------------------------
# Counts for the annual results


def period_of(day: date, period: str) -> str:
    return str(day.year) if period == "year" else f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def periods(year: int, period: str) -> list[str]:
    return [str(year)] if period == "year" else [f"{year}-Q{q}" for q in range(1, 5)]


async def counts(session: AsyncSession, *, year: int, period: str = "year") -> schemas.FeedbackCounts:
    """Feedback received in ``year`` by topic × kind (rows) and language (columns), per year or quarter.

    Published with its margins: each row's total over languages and each language's total, and the grand
    total. Disclosure control is the project's (``analysis.disclosure.protect_counts``): counts under
    ``COUNT_RULES.min_count`` are withheld — under ``min_count_sensitive`` for discrimination — and so are
    enough others that none can be recovered from the totals. Never any text.
    """
    if period not in {"year", "quarter"}:
        raise BadRequest("period must be 'year' or 'quarter'", [ItemError("period", "year or quarter")])
    rows = [(t, k) for t in Topic for k in Kind]
    languages = list(SUPPORTED)
    labels = periods(year, period)
    cube = np.zeros((len(labels), len(rows), len(languages)), dtype=np.int64)
    found = await session.execute(
        select(FeedbackCase.created_on, FeedbackCase.topic, FeedbackCase.kind, FeedbackCase.language, func.count())
        .where(FeedbackCase.created_on >= date(year, 1, 1), FeedbackCase.created_on <= date(year, 12, 31))
        .group_by(FeedbackCase.created_on, FeedbackCase.topic, FeedbackCase.kind, FeedbackCase.language)
    )
    for created_on, topic, kind, language, number in found:
        if language in SUPPORTED:
            cube[
                labels.index(period_of(created_on, period)),
                rows.index((Topic(topic), Kind(kind))),
                languages.index(language),
            ] += number
    sensitive_rows = np.array([k is Kind.DISCRIMINATION for _, k in rows] + [False])
    row_labels = [(t.value, k.value) for t, k in rows] + [(ALL, ALL)]
    column_labels = [*languages, ALL]
    cells = []
    for p, label in enumerate(labels):
        grid = np.zeros((len(rows) + 1, len(languages) + 1), dtype=np.int64)
        grid[:-1, :-1] = cube[p]
        grid[-1, :-1] = cube[p].sum(axis=0)
        grid[:, -1] = grid[:, :-1].sum(axis=1)
        sensitive = sensitive_rows[:, None] & (grid < COUNT_RULES.min_count_sensitive)
        hidden = protect_counts(cube[p], total=True, rules=COUNT_RULES, presuppressed=sensitive).suppressed
        for (r, c), n in np.ndenumerate(grid):
            topic, kind = row_labels[r]
            cells.append(
                schemas.FeedbackCount(
                    period=label,
                    topic=topic,
                    kind=kind,
                    language=column_labels[c],
                    count=None if hidden[r, c] else int(n),
                )
            )
    return schemas.FeedbackCounts(
        year=year,
        period=period,
        threshold=COUNT_RULES.min_count,
        sensitive_threshold=COUNT_RULES.min_count_sensitive,
        cells=cells,
    )
