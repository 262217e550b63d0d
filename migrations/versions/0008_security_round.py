"""Feedback cases keep whether their text looks like personal data (found once, when stored); partial
answers of invited respondents are found through a hash keyed with the service's secret key.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03 19:20:00
"""

from collections.abc import Sequence

import hashlib
import uuid

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

from survey_service.domain.pages.deps import invited_respondent
from survey_service.domain.responses.services import resume_hash
from survey_service.personal_data import find_personal_data
from survey_service.settings import get_settings

revision: str = "0008"
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_case") as batch:
        batch.add_column(sa.Column("personal_data", sa.Boolean(), server_default=sa.false(), nullable=False))
    case = sa.table("feedback_case", sa.column("id"), sa.column("text", sa.Text), sa.column("personal_data"))
    conn = op.get_bind()
    flagged = [
        row.id for row in conn.execute(sa.select(case.c.id, case.c.text)) if row.text and find_personal_data(row.text)
    ]
    for case_id in flagged:
        conn.execute(sa.update(case).where(case.c.id == case_id).values(personal_data=True))
    _rekey_invited_partials(conn)


def _rekey_invited_partials(conn: sa.Connection) -> None:
    """Partial answers were found by a hash of the invitation id alone; move them to the keyed hash."""
    invitation = sa.table("invitation", sa.column("id", GUID()), sa.column("status", sa.String))
    response = sa.table("response", sa.column("resume_hash", sa.String))
    started: list[uuid.UUID] = conn.execute(sa.select(invitation.c.id).where(invitation.c.status == "started")).scalars().all()  # type: ignore[assignment]
    if not started:
        return
    key = get_settings().secret_key
    for invitation_id in started:
        old = hashlib.sha256(f"resume:invitation:{invitation_id}".encode()).hexdigest()
        new = resume_hash(invited_respondent(invitation_id, key).secret)
        conn.execute(sa.update(response).where(response.c.resume_hash == old).values(resume_hash=new))


def downgrade() -> None:
    with op.batch_alter_table("feedback_case") as batch:
        batch.drop_column("personal_data")
