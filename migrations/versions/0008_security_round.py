"""Feedback cases keep whether their text looks like personal data (found once, when stored).

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from survey_service.personal_data import find_personal_data

revision: str = "0008"
down_revision: str | None = "0005"
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


def downgrade() -> None:
    with op.batch_alter_table("feedback_case") as batch:
        batch.drop_column("personal_data")
