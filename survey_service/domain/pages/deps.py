"""Respondent sessions of the pages: a cookie scoped to one survey that says whose partial answers these are.

An open-link respondent's cookie holds their resume code (``o:CODE.MAC``), an invited respondent's their
invitation id (``i:ID.MAC``), each with a MAC under the service's secret key: a cookie the server did not
issue is ignored, so it can neither guess resume codes nor start responses past the per-address limit.
Neither is an account: the cookie only lets the same browser continue, and is removed on submission.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass

from litestar.datastructures import Cookie

COOKIE = "survey-session"
MAX_AGE_S = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Respondent:
    secret: str  # what finds the partial response (see responses.services.resume_hash)
    invitation_id: uuid.UUID | None = None
    resume_code: str | None = None


def open_respondent(resume_code: str) -> Respondent:
    return Respondent(secret=f"code:{resume_code}", resume_code=resume_code)


def invited_respondent(invitation_id: uuid.UUID, key: str) -> Respondent:
    """An invited respondent; their partial answers are found through an HMAC of the invitation id under the
    service's secret key, which is not in the database: the stored hash cannot be computed from the
    invitation row, so a copy of the database does not link a partial response to an invitation's strata."""
    return Respondent(secret=f"invitation:{_mac(key, f'partial:{invitation_id}')}", invitation_id=invitation_id)


def _mac(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def cookie_value(respondent: Respondent, key: str) -> str:
    if respondent.invitation_id is not None:
        ident = str(respondent.invitation_id)
        return f"i:{ident}.{_mac(key, ident)}"
    code = str(respondent.resume_code)
    return f"o:{code}.{_mac(key, 'o:' + code)}"


def from_cookie(value: str | None, key: str) -> Respondent | None:
    if not value or len(value) > 200:
        return None
    kind, _, rest = value.partition(":")
    if kind == "o":
        code, _, mac = rest.partition(".")
        return open_respondent(code) if code and hmac.compare_digest(mac, _mac(key, "o:" + code)) else None
    if kind == "i":
        ident, _, mac = rest.partition(".")
        if hmac.compare_digest(mac, _mac(key, ident)):
            try:
                return invited_respondent(uuid.UUID(ident), key)
            except ValueError:
                return None
    return None


def session_cookie(slug: str, respondent: Respondent, key: str, secure: bool) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=cookie_value(respondent, key),
        path=f"/s/{slug}",
        max_age=MAX_AGE_S,
        httponly=True,
        secure=secure,
        samesite="lax",
    )


def cleared_cookie(slug: str, secure: bool) -> Cookie:
    return Cookie(key=COOKIE, value="", path=f"/s/{slug}", max_age=0, httponly=True, secure=secure, samesite="lax")
