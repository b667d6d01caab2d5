"""integrity tags: wave public-key tag, response tags and a tagged per-wave tally

A database writer must not be able to swap a wave's public key, forge or move a response,
or delete one unnoticed (issue 13 §5). The tags are HMACs under a secret kept outside the
database (survey/domain/integrity.py). The columns are nullable: rows written before this
revision carry no tag, and `flask keys adopt` vouches for them once, with the KEK.

Revision ID: 0008_sec2
Revises: 0006
Create Date: 2026-12-02 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_sec2'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_key_tag', sa.LargeBinary(), nullable=True))
    for table in ('response', 'pending_response'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('tag', sa.LargeBinary(), nullable=True))
    op.create_table('response_tally',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('stored', sa.Integer(), nullable=False),
    sa.Column('digest', sa.LargeBinary(), nullable=False),
    sa.Column('tag', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_response_tally_wave_id_wave')),
    sa.PrimaryKeyConstraint('wave_id', name=op.f('pk_response_tally'))
    )


def downgrade():
    op.drop_table('response_tally')
    for table in ('pending_response', 'response'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('tag')
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.drop_column('public_key_tag')
