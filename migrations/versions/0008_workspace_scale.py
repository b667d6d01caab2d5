"""workspace at alliance scale: team headcounts and batches of single-use codes

`team.headcount` is the default the core team enters (or imports from a CSV); opening a
wave copies it into `survey_link.headcount`, where it can be changed for that wave.
`code_batch` lists the sheets of codes made for each team (size, day, void-key hash);
no code row names its batch.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


CHECK = 'ck_team_headcount_non_negative'


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


# On SQLite a batch operation would rebuild `team`, which every wave's links point at; a
# column (with its own CHECK) is added and dropped in place instead.
def upgrade():
    op.create_table('code_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('voided_on', sa.Date(), nullable=True),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('size >= 1', name=op.f('ck_code_batch_size_positive')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_code_batch_team_id_team')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_code_batch_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_batch')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_code_batch_key_hash'))
    )
    with op.batch_alter_table('code_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_batch_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_batch_wave_id'), ['wave_id'], unique=False)
    if _sqlite():
        op.execute(f'ALTER TABLE team ADD COLUMN headcount INTEGER CONSTRAINT {CHECK} CHECK (headcount >= 0)')
    else:
        with op.batch_alter_table('team', schema=None) as batch_op:
            batch_op.add_column(sa.Column('headcount', sa.Integer(), nullable=True))
            batch_op.create_check_constraint(op.f(CHECK), 'headcount >= 0')


def downgrade():
    with op.batch_alter_table('code_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_batch_wave_id'))
        batch_op.drop_index(batch_op.f('ix_code_batch_team_id'))
    op.drop_table('code_batch')
    if _sqlite():
        op.execute('ALTER TABLE team DROP COLUMN headcount')
        return
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.drop_column('headcount')
