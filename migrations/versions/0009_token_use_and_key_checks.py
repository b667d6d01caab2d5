"""token use and key checks: the week an API token was last used; runs of the key check

`api_token.last_used_week` is the ISO week ("2026-W49") a token was last used in, shown
beside it on "Your account". `key_check` keeps each run of the key check (command line or
key health page): when, how many waves, how many failed or are still on the previous KEK.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_week', sa.String(length=8), nullable=True))

    op.create_table('key_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('waves', sa.Integer(), nullable=False),
    sa.Column('waves_failed', sa.Integer(), nullable=False),
    sa.Column('waves_on_previous', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_key_check_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_check'))
    )
    with op.batch_alter_table('key_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_check_ran_at'), ['ran_at'], unique=False)


def downgrade():
    with op.batch_alter_table('key_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_check_ran_at'))

    op.drop_table('key_check')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_used_week')
