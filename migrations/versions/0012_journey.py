"""organisation-wide survey links (one link and poster for a whole organisation)

A perspective survey of a review may have one link for the whole organisation instead of
one per team (issue 15). Such a link is still held by one of the organisation's teams, as
every stored response needs a team; the release step reports its responses for the
organisation only. Existing links are all per team.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_link', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('organisation_wide', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('survey_link', schema=None) as batch_op:
        batch_op.drop_column('organisation_wide')
