"""release.sealed_truth: each cell's truth at a release, sealed to the wave key

The joint check of a later release holds everyone outside one team (then one
organisation) at the truth, so it needs the truth of every earlier release's arrivals
(issue 10: alliance-scale releases). Sealed like answers, so a copy of the database
learns nothing new from it. Nullable: releases made before this revision have none, and
a wave with such a release is checked as one whole programme, as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_truth', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_column('sealed_truth')
