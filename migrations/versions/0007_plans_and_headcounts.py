"""plans and headcounts: one action plan per organisation; each team link's headcount

`plan_action` holds what a team or an organisation said it would do (after a screening
release or an organisational review), with `plan_action_comment` for the core team's
comments. `survey_link.headcount` is how many staff the team has in that wave: the
denominator of a released response rate.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('wave_id', sa.Integer(), nullable=True),
    sa.Column('focus', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner_role', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'in progress', 'done', 'dropped')", name=op.f('ck_plan_action_status_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_plan_action_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_plan_action_team_id_team')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_plan_action_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_action'))
    )
    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_action_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_action_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_action_wave_id'), ['wave_id'], unique=False)

    op.create_table('plan_action_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_action.id'], name=op.f('fk_plan_action_comment_action_id_plan_action')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_plan_action_comment_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_action_comment'))
    )
    with op.batch_alter_table('plan_action_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_action_comment_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('survey_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headcount', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_survey_link_headcount_non_negative'), 'headcount >= 0')


def downgrade():
    with op.batch_alter_table('survey_link', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_survey_link_headcount_non_negative'), type_='check')
        batch_op.drop_column('headcount')

    with op.batch_alter_table('plan_action_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_action_comment_action_id'))
    op.drop_table('plan_action_comment')

    with op.batch_alter_table('plan_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_action_wave_id'))
        batch_op.drop_index(batch_op.f('ix_plan_action_team_id'))
        batch_op.drop_index(batch_op.f('ix_plan_action_organisation_id'))
    op.drop_table('plan_action')
