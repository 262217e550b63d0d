"""Staff accounts, sessions and API tokens: creating, checking and revoking them.

Session ids and API tokens are random 256-bit secrets given to the client once; the database keeps only
their SHA-256 hashes (a stolen database copy cannot be used to sign in). Changing a role, deactivating an
account or changing a password ends the account's sessions.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.models import ROLES, ApiToken, StaffSession, StaffUser
from survey_service.domain.audit.services import Actor, record
from survey_service.domain.auth.passwords import hash_password, password_problem, verify_password
from survey_service.domain.auth.permissions import ROLE_PERMISSIONS
from survey_service.domain.auth.schemas import Staff
from survey_service.errors import BadRequest, Conflict, ItemError, NotFound

SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "sst_"  # noqa: S105 - not a secret: recognisable prefix for logs and secret scanners


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def staff_of(user: StaffUser, channel: str, session_hash: str | None = None) -> Staff:
    return Staff(
        id=user.id,
        username=user.username,
        role=user.role,
        permissions=ROLE_PERMISSIONS.get(user.role, frozenset()),
        channel=channel,
        session_hash=session_hash,
        language=user.language,
    )


def actor_of(staff: Staff) -> Actor:
    return Actor(name=staff.username, channel=staff.channel, id=staff.id)


# -- accounts ---------------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, username: str) -> StaffUser:
    user = await find_user(session, username)
    if user is None:
        raise NotFound(f"no staff account {normalise_username(username)!r}")
    return user


async def find_user(session: AsyncSession, username: str) -> StaffUser | None:
    stmt = select(StaffUser).where(StaffUser.username == normalise_username(username))
    return (await session.scalars(stmt)).first()


async def list_users(session: AsyncSession) -> list[StaffUser]:
    return list(await session.scalars(select(StaffUser).order_by(StaffUser.username)))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}; roles: {', '.join(ROLES)}", [ItemError("role", "unknown role")])


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise BadRequest(problem, [ItemError("password", problem)])


async def create_user(session: AsyncSession, actor: Actor, username: str, role: str, password: str) -> StaffUser:
    username = normalise_username(username)
    _check_role(role)
    _check_password(password)
    if await find_user(session, username) is not None:
        raise Conflict(f"a staff account {username!r} already exists", [ItemError("username", "already taken")])
    user = StaffUser(username=username, role=role, password_hash=await hash_password(password))
    session.add(user)
    await session.flush()
    await record(session, actor, "user.create", username, {"role": role})
    return user


async def set_role(session: AsyncSession, actor: Actor, username: str, role: str) -> StaffUser:
    """Change a role; the account's sessions end (its API tokens keep working, with the new role)."""
    _check_role(role)
    user = await get_user(session, username)
    if user.role != role:
        await record(session, actor, "user.role_change", user.username, {"from": user.role, "to": role})
        user.role = role
        await end_all_sessions(session, user.id)
    return user


async def set_active(session: AsyncSession, actor: Actor, username: str, active: bool) -> StaffUser:
    """Deactivate (sessions end, API tokens are revoked) or reactivate an account (with new tokens only)."""
    user = await get_user(session, username)
    if user.active != active:
        await record(session, actor, "user.activate" if active else "user.deactivate", user.username)
        user.active = active
        if not active:
            await end_all_sessions(session, user.id)
            await session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
    return user


async def set_language(session: AsyncSession, user_id: uuid.UUID, language: str | None) -> None:
    """Remember the staff pages' language an account's owner chose (not audited: a personal preference)."""
    user = await session.get(StaffUser, user_id)
    if user is not None:
        user.language = language


async def set_password(
    session: AsyncSession, actor: Actor, user: StaffUser, password: str, keep_session_hash: str | None = None
) -> None:
    """Set a new password; every session of the account ends except ``keep_session_hash`` (the caller's)."""
    _check_password(password)
    user.password_hash = await hash_password(password)
    stmt = delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep_session_hash:
        stmt = stmt.where(StaffSession.token_hash != keep_session_hash)
    await session.execute(stmt)
    await record(session, actor, "user.password_change", user.username)


async def check_password(session: AsyncSession, username: str, password: str) -> StaffUser | None:
    """The active account with this username and password, or None (equal time either way)."""
    user = await find_user(session, username)
    ok, new_hash = await verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    if new_hash:
        user.password_hash = new_hash
    return user


# -- sessions ---------------------------------------------------------------------------------------------


async def start_session(session: AsyncSession, user: StaffUser, previous: str | None = None) -> str:
    """A new session id for ``user``. The id presented before signing in (if any) is ended, so a session
    id known before login can never be used after it; expired sessions are cleared on the way."""
    now = utcnow()
    if previous:
        await session.execute(delete(StaffSession).where(StaffSession.token_hash == secret_hash(previous)))
    await session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(user_id=user.id, token_hash=secret_hash(token), expires_at=now + SESSION_LIFETIME))
    return token


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == secret_hash(token)))


async def end_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))


async def staff_for_session(session: AsyncSession, token: str, now: datetime | None = None) -> Staff | None:
    digest = secret_hash(token)
    stmt = (
        select(StaffUser)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(StaffSession.token_hash == digest, StaffSession.expires_at > (now or utcnow()), StaffUser.active)
    )
    user = (await session.scalars(stmt)).first()
    return staff_of(user, "web", digest) if user else None


async def count_sessions(session: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(StaffSession).where(StaffSession.user_id == user_id)
    return int((await session.execute(stmt)).scalar_one())


# -- API tokens -------------------------------------------------------------------------------------------


async def create_token(session: AsyncSession, actor: Actor, username: str, name: str) -> tuple[ApiToken, str]:
    """A new token for an active account; the token itself is returned this once and never stored."""
    user = await get_user(session, username)
    if not user.active:
        raise Conflict(f"staff account {user.username!r} is deactivated")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip() or "API token", token_hash=secret_hash(token))
    session.add(row)
    await session.flush()
    await record(session, actor, "token.create", user.username, {"token_id": str(row.id), "name": row.name})
    return row, token


async def revoke_token(session: AsyncSession, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        owner = await session.get(StaffUser, row.user_id)
        await record(session, actor, "token.revoke", owner.username if owner else "", {"token_id": str(row.id)})
    return row


async def list_tokens(session: AsyncSession, username: str | None = None) -> list[tuple[ApiToken, str]]:
    stmt = select(ApiToken, StaffUser.username).join(StaffUser).order_by(ApiToken.created_at.desc())
    if username:
        stmt = stmt.where(StaffUser.username == normalise_username(username))
    return [(t, u) for t, u in (await session.execute(stmt)).all()]


async def staff_for_token(session: AsyncSession, token: str) -> Staff | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    stmt = (
        select(StaffUser)
        .join(ApiToken, ApiToken.user_id == StaffUser.id)
        .where(ApiToken.token_hash == secret_hash(token), ApiToken.revoked_at.is_(None), StaffUser.active)
    )
    user = (await session.scalars(stmt)).first()
    return staff_of(user, "api") if user else None
