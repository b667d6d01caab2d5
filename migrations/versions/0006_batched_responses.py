"""batched responses, deleted codes, release dates: metadata that ties or dates nothing

Responses wait in `pending_response` (sealed) until a batch of at least k moves them into
`response` in a transaction of its own; spent single-use codes are deleted rather than
marked, with a per-team tally of how many were made; a release keeps the day it was made
(`made_on`), not an instant.

Downgrade keeps the data it can: pending responses move into `response`, the tally is
dropped (spent codes, already deleted, cannot come back: they were refused either way),
and `made_at` comes back as midnight UTC of `made_on`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_RESPONSE_COLUMNS = "id, wave_id, team_id, questionnaire_version_id, iso_week, sealed"


def upgrade():
    op.create_table('pending_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint('length(id) = 32', name=op.f('ck_pending_response_random_id')),
    sa.CheckConstraint('length(iso_week) = 8', name=op.f('ck_pending_response_iso_week_only')),
    sa.ForeignKeyConstraint(['questionnaire_version_id'], ['questionnaire_version.id'], name=op.f('fk_pending_response_questionnaire_version_id_questionnaire_version')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_pending_response_team_id_team')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_pending_response_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_response')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pending_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_response_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_response_wave_id'), ['wave_id'], unique=False)

    op.create_table('code_tally',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('made', sa.Integer(), nullable=False),
    sa.CheckConstraint('made >= 0', name=op.f('ck_code_tally_made_non_negative')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_code_tally_team_id_team')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_code_tally_wave_id_wave')),
    sa.PrimaryKeyConstraint('wave_id', 'team_id', name=op.f('pk_code_tally')),
    sqlite_with_rowid=False
    )
    op.execute(
        "INSERT INTO code_tally (wave_id, team_id, made)"
        " SELECT wave_id, team_id, count(*) FROM single_use_code GROUP BY wave_id, team_id"
    )
    op.execute("DELETE FROM single_use_code WHERE used")
    with op.batch_alter_table('single_use_code', schema=None) as batch_op:
        batch_op.drop_column('used')

    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_on', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE release SET made_on = (made_at AT TIME ZONE 'UTC')::date")
    else:
        op.execute("UPDATE release SET made_on = date(made_at)")
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.alter_column('made_on', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('made_at')


def downgrade():
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('made_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE release SET made_at = made_on::timestamp AT TIME ZONE 'UTC'")
    else:
        op.execute("UPDATE release SET made_at = datetime(made_on)")
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.alter_column('made_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column('made_on')

    with op.batch_alter_table('single_use_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.drop_table('code_tally')

    op.execute(
        f"INSERT INTO response ({_RESPONSE_COLUMNS}) SELECT {_RESPONSE_COLUMNS} FROM pending_response"
    )
    with op.batch_alter_table('pending_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_response_wave_id'))
        batch_op.drop_index(batch_op.f('ix_pending_response_team_id'))

    op.drop_table('pending_response')
