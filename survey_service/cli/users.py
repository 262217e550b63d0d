"""Staff accounts and API tokens."""

from __future__ import annotations

import sys

import click

from survey_service.cli.base import fail, run_with_db
from survey_service.db.engine import Database


@click.group()
def user() -> None:
    """Staff accounts."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _roles() -> click.Choice[str]:
    from survey_service.db.models import ROLES

    return click.Choice(ROLES)


@user.command("create")
@click.argument("username")
@click.option("--role", type=_roles(), required=True, help="The account's role.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a staff account (the password is asked for, or read from standard input)."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import create_user

    password = _read_password(password_stdin)

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await create_user(session, COMMAND_LINE, username, role, password)
            return f"created {u.username} ({u.role})"

    click.echo(run_with_db(work))


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=_roles())
def user_set_role(username: str, role: str) -> None:
    """Change an account's role; its sessions end."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import set_role

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await set_role(session, COMMAND_LINE, username, role)
            return f"{u.username} is now {u.role}"

    click.echo(run_with_db(work))


@user.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """Deactivate an account: its sessions end and its API tokens stop working."""
    _set_active(username, False)


@user.command("activate")
@click.argument("username")
def user_activate(username: str) -> None:
    """Activate a deactivated account again."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import set_active

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await set_active(session, COMMAND_LINE, username, active)
            return f"{u.username} {'activated' if u.active else 'deactivated'}"

    click.echo(run_with_db(work))


@user.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set an account's password; its sessions end."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import get_user, set_password

    password = _read_password(password_stdin)

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await get_user(session, username)
            await set_password(session, COMMAND_LINE, u, password)
            return f"password of {u.username} set"

    click.echo(run_with_db(work))


@user.command("list")
def user_list() -> None:
    """List staff accounts: username, role, active."""
    from survey_service.domain.auth.services import list_users

    async def work(db: Database) -> list[str]:
        async with db.read() as session:
            return [
                f"{u.username}\t{u.role}\t{'active' if u.active else 'deactivated'}" for u in await list_users(session)
            ]

    for line in run_with_db(work):
        click.echo(line)


@click.group()
def token() -> None:
    """API tokens for scripts (Authorization: Bearer)."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="API token", show_default=True, help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it (only this once; it is stored hashed)."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import create_token

    async def work(db: Database) -> tuple[str, str]:
        async with db.write() as session:
            row, secret = await create_token(session, COMMAND_LINE, username, name)
            return str(row.id), secret

    token_id, secret = run_with_db(work)
    click.echo(f"token id {token_id} (for revoking); the token, shown only now:", err=True)
    click.echo(secret)


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke an API token by its id (see `token list`)."""
    import uuid

    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import revoke_token

    try:
        parsed = uuid.UUID(token_id)
    except ValueError:
        fail(ValueError(f"{token_id!r} is not a token id"))

    async def work(db: Database) -> str:
        async with db.write() as session:
            await revoke_token(session, COMMAND_LINE, parsed)
            return f"token {parsed} revoked"

    click.echo(run_with_db(work))


@token.command("list")
@click.argument("username", required=False)
def token_list(username: str | None) -> None:
    """List API tokens (id, user, name, status), of one account or all."""
    from survey_service.domain.auth.services import list_tokens

    async def work(db: Database) -> list[str]:
        async with db.read() as session:
            return [
                f"{t.id}\t{u}\t{t.name}\t{'revoked' if t.revoked_at else 'active'}"
                for t, u in await list_tokens(session, username)
            ]

    for line in run_with_db(work):
        click.echo(line)
