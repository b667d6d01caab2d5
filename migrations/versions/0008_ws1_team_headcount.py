"""team headcount: a team's usual number of staff, copied into each wave's link

`team.headcount` is the default the core team enters (or imports from a CSV); opening a
wave copies it into `survey_link.headcount`, where it can be changed for that wave.

Revision ID: 0008_ws1
Revises: 0007
Create Date: 2026-12-02 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_ws1'
down_revision = '0007'
branch_labels = None
depends_on = None


CHECK = 'ck_team_headcount_non_negative'


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


# On SQLite a batch operation would rebuild `team`, which every wave's links point at; a
# column (with its own CHECK) is added and dropped in place instead.
def upgrade():
    if _sqlite():
        op.execute(f'ALTER TABLE team ADD COLUMN headcount INTEGER CONSTRAINT {CHECK} CHECK (headcount >= 0)')
        return
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headcount', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f(CHECK), 'headcount >= 0')


def downgrade():
    if _sqlite():
        op.execute('ALTER TABLE team DROP COLUMN headcount')
        return
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.drop_column('headcount')
