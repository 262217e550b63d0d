"""Shapes of staff accounts and API tokens at the edge (API bodies and answers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Role = Literal["admin", "designer", "analyst", "data_entry", "feedback_handler"]
Username = Annotated[
    str,
    Meta(
        pattern=r"^[a-z0-9][a-z0-9._@-]{1,99}\Z",
        description="2-100 characters: lower-case letters, digits and . _ @ -, starting with a letter or digit",
    ),
]


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in staff member of a request (set by the guard, given to handlers as ``staff``)."""

    id: uuid.UUID
    username: str
    role: str
    permissions: frozenset[str]
    channel: str  # "web" (session cookie) or "api" (bearer token)
    session_hash: str | None = None  # the web session's hash, so a password change can keep this session
    language: str | None = None  # the staff pages' language chosen on the account

    def can(self, permission: str) -> bool:
        return permission in self.permissions


class User(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    role: str
    active: bool
    created_at: datetime


class UserCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Username
    role: Role
    password: Annotated[str, Meta(min_length=1, max_length=1024)]


class UserUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    role: Role | None = None
    active: bool | None = None


class Me(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    role: str
    permissions: list[str]


class Token(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    username: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class TokenCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)] = "API token"


class NewToken(msgspec.Struct, frozen=True, kw_only=True):
    """A freshly created token: ``token`` is shown this once and never stored."""

    id: uuid.UUID
    name: str
    token: str
