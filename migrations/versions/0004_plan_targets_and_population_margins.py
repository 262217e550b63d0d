"""Plan baseline wave and targets; population margins per survey wave.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 02:19:43.100777
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plan_target',
    sa.Column('plan_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('item', sa.String(length=32), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.CheckConstraint("direction IN ('increase', 'decrease')", name=op.f('ck_plan_target_direction')),
    sa.CheckConstraint('(value IS NULL) = (year IS NULL)', name=op.f('ck_plan_target_value_year')),
    sa.CheckConstraint('value IS NULL OR (value >= 0 AND value <= 1)', name=op.f('ck_plan_target_value')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_target_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_target')),
    sa.UniqueConstraint('plan_id', 'item', name=op.f('uq_plan_target_plan_id'))
    )
    with op.batch_alter_table('plan_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_target_plan_id'), ['plan_id'], unique=False)

    op.create_table('population_margin',
    sa.Column('survey_id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.Column('variable', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('population', sa.Double(), nullable=False),
    sa.Column('id', advanced_alchemy.types.guid.GUID(length=16), nullable=False),
    sa.CheckConstraint('population > 0', name=op.f('ck_population_margin_population')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_population_margin_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_margin')),
    sa.UniqueConstraint('survey_id', 'variable', 'category', name=op.f('uq_population_margin_survey_id'))
    )
    with op.batch_alter_table('population_margin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_population_margin_survey_id'), ['survey_id'], unique=False)

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_survey_id', advanced_alchemy.types.guid.GUID(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plan_baseline_survey_id_survey'), 'survey', ['baseline_survey_id'], ['id'], ondelete='SET NULL', use_alter=True)


def downgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_baseline_survey_id_survey'), type_='foreignkey')
        batch_op.drop_column('baseline_survey_id')

    with op.batch_alter_table('population_margin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_population_margin_survey_id'))

    op.drop_table('population_margin')
    with op.batch_alter_table('plan_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_target_plan_id'))

    op.drop_table('plan_target')
