"""Issuing invitations and recognising their tokens and short codes; only hashes are ever stored.

A token (in the link of an e-mail or a QR code) has 192 random bits. A short code (typed from a paper
letter) has 12 characters from an alphabet without look-alike characters (no 0/O, 1/I/L), about 59 bits,
shown as ``ABCD-EFGH-JKMN``; typing is forgiving about case, spaces and hyphens. Guessing is further
limited by per-address rate limits on the pages that accept codes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.models import Invitation, Survey
from survey_service.errors import BadRequest
from survey_service.languages import SUPPORTED

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
TOKEN_BYTES = 24
MAX_BATCH = 100_000


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
    return secrets.token_urlsafe(TOKEN_BYTES)


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
        raise BadRequest(f"count must be between 1 and {MAX_BATCH}")
    rows = [dict(r) for r in strata] if strata is not None else [{} for _ in range(count)]
    if len(rows) != count:
        raise BadRequest(f"count is {count} but the strata file has {len(rows)} rows")
    issued: list[IssuedInvitation] = []
    values: list[dict[str, Any]] = []
    now = utcnow()
    for row in rows:
        language = row.pop("language", None) or None
        if language is not None and language not in SUPPORTED:
            raise BadRequest(f"language {language!r} is not supported; supported: {', '.join(SUPPORTED)}")
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
