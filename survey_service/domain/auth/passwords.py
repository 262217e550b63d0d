"""Password hashing with argon2id (argon2-cffi, RFC 9106 low-memory profile) and the password rules.

Hashing takes tens of milliseconds of CPU on purpose; the async helpers run it in a worker thread so
the event loop keeps serving other requests.
"""

from __future__ import annotations

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024

hasher = PasswordHasher()
# Verified when a username does not exist, so that a wrong username costs as much time as a wrong password.
_DUMMY_HASH = hasher.hash("not a real password, only for equal timing")


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password can have at most {MAX_LENGTH} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    return None


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one should be upgraded to current parameters)."""

    def verify() -> tuple[bool, str | None]:
        try:
            hasher.verify(stored_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False, None
        if stored_hash is None:
            return False, None
        return True, hasher.hash(password) if hasher.check_needs_rehash(stored_hash) else None

    return await to_thread.run_sync(verify)
