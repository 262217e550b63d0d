"""Staff API of the auth area (bearer tokens only): who am I, staff accounts, API tokens."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.db.models import StaffUser
from survey_service.domain.auth import services
from survey_service.domain.auth.schemas import Me, NewToken, Staff, Token, TokenCreate, User, UserCreate, UserUpdate


def _user(u: StaffUser) -> User:
    return User(username=u.username, role=u.role, active=u.active, created_at=u.created_at)


@get("/api/v1/me", summary="The caller's account and permissions", tags=["staff"], opt={"access": "account:self"})
async def me(staff: NamedDependency[Staff]) -> Me:
    return Me(username=staff.username, role=staff.role, permissions=sorted(staff.permissions))


class UserController(Controller):
    path = "/api/v1/users"
    tags = ("staff",)
    opt = {"access": "users:manage"}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", summary="Staff accounts")
    async def list_users(self, read_session: NamedDependency[AsyncSession]) -> list[User]:
        return [_user(u) for u in await services.list_users(read_session)]

    @post("/", summary="Create a staff account")
    async def create_user(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], data: JSONBody[UserCreate]
    ) -> User:
        async with db.write() as session:
            user = await services.create_user(
                session, services.actor_of(staff), data.username, data.role, data.password
            )
        return _user(user)

    @patch("/{username:str}", summary="Change a staff account's role or activation")
    async def update_user(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
        data: JSONBody[UserUpdate],
    ) -> User:
        async with db.write() as session:
            actor = services.actor_of(staff)
            user = await services.get_user(session, username)
            if data.role is not None:
                user = await services.set_role(session, actor, username, data.role)
            if data.active is not None:
                user = await services.set_active(session, actor, username, data.active)
        return _user(user)

    @get("/{username:str}/tokens", summary="A staff account's API tokens")
    async def list_tokens(self, read_session: NamedDependency[AsyncSession], username: FromPath[str]) -> list[Token]:
        await services.get_user(read_session, username)
        return [
            Token(id=t.id, username=u, name=t.name, created_at=t.created_at, revoked_at=t.revoked_at)
            for t, u in await services.list_tokens(read_session, username)
        ]

    @post("/{username:str}/tokens", summary="Create an API token (shown once)")
    async def create_token(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
        data: JSONBody[TokenCreate],
    ) -> NewToken:
        async with db.write() as session:
            row, token = await services.create_token(session, services.actor_of(staff), username, data.name)
        return NewToken(id=row.id, name=row.name, token=token)


@delete(
    "/api/v1/tokens/{token_id:uuid}",
    summary="Revoke an API token",
    tags=["staff"],
    opt={"access": "users:manage"},
)
async def revoke_token(
    db: NamedDependency[Database], staff: NamedDependency[Staff], token_id: FromPath[uuid.UUID]
) -> None:
    async with db.write() as session:
        await services.revoke_token(session, services.actor_of(staff), token_id)
