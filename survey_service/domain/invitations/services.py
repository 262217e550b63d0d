"""Issuing invitations and recognising their tokens and short codes; only hashes are ever stored.

A token (in the link of an e-mail or a QR code) has 192 random bits. A short code (typed from a paper
letter) has 12 characters from an alphabet without look-alike characters (no 0/O, 1/I/L), about 59 bits,
shown as ``ABCD-EFGH-JKMN``; typing is forgiving about case, spaces and hyphens. Guessing is further
limited by per-address rate limits on the pages that accept codes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.models import Invitation, Survey
from survey_service.errors import BadRequest, ItemError
from survey_service.languages import SUPPORTED
from survey_service.personal_data import is_email, is_phone
from survey_service.results.exports import neutralise

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
TOKEN_BYTES = 24
MAX_BATCH = 100_000
# Strata are coarse groups (area, age group, language) for response rates and weighting — never names,
# addresses or identifiers, which the service does not keep.
MAX_STRATA_COLUMNS = 10
MAX_STRATUM_VALUE = 60
STRATUM_COLUMN = re.compile(r"^[A-Za-z][A-Za-z0-9_ -]{0,39}\Z")
PERSONAL_COLUMNS = frozenset(
    {
        "name",
        "first name",
        "last name",
        "nimi",
        "etunimi",
        "sukunimi",
        "namn",
        "address",
        "osoite",
        "adress",
        "street",
        "katuosoite",
        "postal address",
        "email",
        "e-mail",
        "sähköposti",
        "phone",
        "puhelin",
        "telefon",
        "hetu",
        "henkilötunnus",
        "personbeteckning",
        "ssn",
        "id",
        "person id",
    }
)
UNIQUE_VALUES_CHECKED_FROM = 20  # rows: a column with a different value on every row is an identifier


def token_hash(token: str) -> str:
    """The stored form of a link token."""
    return hashlib.sha256(b"token:" + token.strip().encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What a person typed -> the code's canonical form (upper case, no spaces or hyphens)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """The stored form of a short code (after normalising what was typed)."""
    return hashlib.sha256(b"code:" + normalise_code(code).encode()).hexdigest()


def new_token() -> str:
    # Never starting with "-": spreadsheets (mail merge of the CSV) would read such a cell as a formula.
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def invitation_link(public_url: str, slug: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{slug}?token={token}"


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """An invitation as handed out once: the only time its token and code exist in the clear."""

    token: str
    code: str
    strata: dict[str, str]
    language: str | None


async def create_invitations(
    session: AsyncSession, survey: Survey, count: int, strata: Sequence[Mapping[str, str]] | None = None
) -> list[IssuedInvitation]:
    """Issue ``count`` invitations (one per strata row when given); a ``language`` column presets the language.

    Returns the tokens and codes in the clear; only their hashes are stored.
    """
    if survey.access != "invitation":
        raise BadRequest(f"survey {survey.slug!r} is an open-link survey: invitations need access 'invitation'")
    if not 1 <= count <= MAX_BATCH:
        raise BadRequest(f"count must be between 1 and {MAX_BATCH}", [ItemError("count", f"1 to {MAX_BATCH}")])
    rows = [dict(r) for r in strata] if strata is not None else [{} for _ in range(count)]
    if len(rows) != count:
        message = f"count is {count} but the strata file has {len(rows)} rows"
        raise BadRequest(message, [ItemError("count", message)])
    issued: list[IssuedInvitation] = []
    values: list[dict[str, Any]] = []
    now = utcnow()
    for number, row in enumerate(rows, start=2):  # row 1 of a strata file is its header
        language = row.pop("language", None) or None
        if language is not None and language not in SUPPORTED:
            message = f"language {language!r} is not supported; supported: {', '.join(SUPPORTED)}"
            raise BadRequest(message, [ItemError(f"row {number}", message)])
        item = IssuedInvitation(token=new_token(), code=new_code(), strata=row, language=language)
        issued.append(item)
        values.append(
            {
                "id": uuid.uuid4(),
                "survey_id": survey.id,
                "token_hash": token_hash(item.token),
                "code_hash": code_hash(item.code),
                "language": language,
                "strata": row,
                "status": "unused",
                "created_at": now,
            }
        )
    for start in range(0, len(values), 1000):
        await session.execute(insert(Invitation), values[start : start + 1000])
    return issued


def read_strata(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """A strata CSV (a header, then one row per invitation) -> its columns and rows.

    Refuses what would store personal data: columns named like names, addresses, contacts or identity
    codes, values that are email addresses or phone numbers, and columns with a different value on every
    row (identifiers). Every problem names the column or row.
    """
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect)
    header = [h.strip() for h in next(reader, [])]
    problems: list[ItemError] = []
    if not header or not any(header):
        raise BadRequest("the strata file is empty", [ItemError("strata", "the file has no header row")])
    if len(header) > MAX_STRATA_COLUMNS:
        problems.append(ItemError("strata", f"at most {MAX_STRATA_COLUMNS} columns"))
    if len(set(header)) != len(header):
        problems.append(ItemError("strata", "every column needs a different name"))
    for name in header:
        if not STRATUM_COLUMN.fullmatch(name):
            problems.append(ItemError(f"column {name!r}", "names are letters, digits, space, _ and -, up to 40"))
        elif name.lower() in PERSONAL_COLUMNS:
            problems.append(
                ItemError(f"column {name!r}", "strata are groups; names, addresses and contacts are never stored")
            )
    rows: list[dict[str, str]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(ItemError(f"row {number}", f"{len(cells)} cells, the header has {len(header)}"))
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        for name, value in row.items():
            if len(value) > MAX_STRATUM_VALUE:
                problems.append(ItemError(f"row {number}", f"{name}: at most {MAX_STRATUM_VALUE} characters"))
            elif is_email(value) or is_phone(value):
                problems.append(ItemError(f"row {number}", f"{name}: looks like a contact; strata are groups"))
        rows.append(row)
        if len(problems) >= 20:
            break
    if not problems and len(rows) >= UNIQUE_VALUES_CHECKED_FROM:
        for name in header:
            if name != "language" and len({r[name] for r in rows}) == len(rows):
                problems.append(
                    ItemError(f"column {name!r}", "a different value on every row: strata are groups, not identifiers")
                )
    if problems:
        raise BadRequest("the strata file cannot be used; nothing was created", problems)
    return header, rows


def invitations_csv(issued: Sequence[IssuedInvitation], columns: Sequence[str], public_url: str, slug: str) -> str:
    """``token,code,link`` and the strata columns (``language`` included), one row per invitation."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["token", "code", "link", *columns])
    for i in issued:
        strata = [(i.language or "") if c == "language" else i.strata.get(c, "") for c in columns]
        # strata come from an uploaded file: a formula among them would run in the mail-merge spreadsheet,
        # beside the token in the same row
        writer.writerow([i.token, i.code, invitation_link(public_url, slug, i.token), *map(neutralise, strata)])
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class FoundInvitation:
    id: uuid.UUID
    status: str
    language: str | None


async def find_invitation(
    session: AsyncSession, survey_id: uuid.UUID, *, token: str | None = None, code: str | None = None
) -> FoundInvitation | None:
    """The survey's invitation with this token or code, or None."""
    if token:
        where = Invitation.token_hash == token_hash(token)
    elif code and normalise_code(code):
        where = Invitation.code_hash == code_hash(code)
    else:
        return None
    row = (
        await session.execute(
            select(Invitation.id, Invitation.status, Invitation.language).where(
                where, Invitation.survey_id == survey_id
            )
        )
    ).first()
    return FoundInvitation(row.id, row.status, row.language) if row else None
