"""Idempotency keys of API submissions; resumable partial responses (resume_hash).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 02:18:57.610753
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('survey_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('request_mac', sa.String(length=64), nullable=False),
    sa.Column('response_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_idempotency_key_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    sa.UniqueConstraint('survey_id', 'key_hash', name=op.f('uq_idempotency_key_survey_id'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resume_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_response_resume_hash'), ['resume_hash'])


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_response_resume_hash'), type_='unique')
        batch_op.drop_column('resume_hash')

    op.drop_table('idempotency_key')
