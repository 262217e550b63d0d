"""Permissions and the role -> permissions map: the single place that says who may do what.

A route declares the permission it needs in ``opt={"access": "<permission>"}`` (or ``"public"``); the
guard in ``guards.py`` checks it against the signed-in user's role. Add a permission here first, then
grant it to roles; ``admin`` always has every permission.
"""

from __future__ import annotations

from typing import Final

from survey_service.db.models.staff_user import ROLES

PUBLIC: Final = "public"


def N_(message: str) -> str:
    """Mark a message for the staff catalogue; the pages translate it where they show it."""
    return message


PERMISSIONS: Final[dict[str, str]] = {
    "account:self": N_("Use the staff pages: sign out, change one's own password, see one's own permissions"),
    "questionnaires:read": N_(
        "See questionnaires, their versions, previews, diffs and translation status; export them"
    ),
    "questionnaires:write": N_("Import questionnaires and translations into drafts; start and delete drafts"),
    "questionnaires:publish": N_("Publish a draft version (published versions can never change)"),
    "surveys:read": N_("See every survey wave, open or closed"),
    "surveys:write": N_("Create survey waves; close and reopen them"),
    "invitations:write": N_("Create invitations and invitation letters for invitation-only waves"),
    "responses:enter": N_("Enter paper and interview answers"),
    "results:read": N_("See results and reports"),
    "exports:create": N_("Export response data"),
    "weights:write": N_("Set the population margins for weighting and the targets of plans"),
    "users:manage": N_("Create staff accounts, change roles, deactivate accounts, issue and revoke API tokens"),
    "audit:read": N_("Read the audit log"),
    "feedback:handle": N_("Read and answer resident feedback"),
    "data:retention": N_("Run the deletion of data past its retention period"),
}

ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "admin": frozenset(PERMISSIONS),
    "designer": frozenset(
        {
            "account:self",
            "questionnaires:read",
            "questionnaires:write",
            "questionnaires:publish",
            "surveys:read",
            "surveys:write",
            "invitations:write",
        }
    ),
    "analyst": frozenset(
        {"account:self", "questionnaires:read", "surveys:read", "results:read", "exports:create", "weights:write"}
    ),
    "data_entry": frozenset({"account:self", "responses:enter"}),
    "feedback_handler": frozenset({"account:self", "feedback:handle"}),
}

ROLE_LABELS: Final[dict[str, str]] = {
    "admin": N_("Administrator"),
    "designer": N_("Questionnaire designer"),
    "analyst": N_("Analyst"),
    "data_entry": N_("Data entry"),
    "feedback_handler": N_("Feedback handler"),
}

if set(ROLE_PERMISSIONS) != set(ROLES) or set(ROLE_LABELS) != set(ROLES):
    raise RuntimeError("every role in staff_user.ROLES needs permissions and a label, and no others")
for _role, _granted in ROLE_PERMISSIONS.items():
    if _granted - set(PERMISSIONS):
        raise RuntimeError(f"role {_role} is granted unknown permissions {sorted(_granted - set(PERMISSIONS))}")


def allows(role: str, permission: str) -> bool:
    """Whether ``role`` has ``permission`` (unknown roles have none)."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def is_declared(access: object) -> bool:
    """Whether a route's ``opt["access"]`` names ``public`` or a known permission."""
    return access == PUBLIC or (isinstance(access, str) and access in PERMISSIONS)
