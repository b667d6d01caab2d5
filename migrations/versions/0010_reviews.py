"""jour reviews: organisational reviews, their agreed domain ratings and perspective waves; the engagement log

`review` applies a framework (by key and version) to an organisation, a baseline or a
follow-up of the review before it; `review_domain` holds each domain's agreed rating and
what was discussed; `review_wave` ties a perspective survey (a wave) to its review;
`engagement_session` is the core team's log of training and reflective practice.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:31:47.843485

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('engagement_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.CheckConstraint("kind IN ('training', 'reflective practice', 'consultation', 'other')", name=op.f('ck_engagement_session_kind_known')),
    sa.CheckConstraint('attended >= 0', name=op.f('ck_engagement_session_attended_non_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_engagement_session_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_session'))
    )
    with op.batch_alter_table('engagement_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_session_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('framework_key', sa.String(length=40), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.CheckConstraint("(kind = 'baseline') = (previous_id IS NULL)", name=op.f('ck_review_follow_up_has_previous')),
    sa.CheckConstraint("kind IN ('baseline', 'follow-up')", name=op.f('ck_review_kind_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_review_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['previous_id'], ['review.id'], name=op.f('fk_review_previous_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('review_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('domain_key', sa.String(length=40), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('examples', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_domain_review_id_review')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_domain')),
    sa.UniqueConstraint('review_id', 'domain_key', name='review_domain_once')
    )
    with op.batch_alter_table('review_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_domain_review_id'), ['review_id'], unique=False)

    op.create_table('review_wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('perspective', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['review.id'], name=op.f('fk_review_wave_review_id_review')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_review_wave_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_wave')),
    sa.UniqueConstraint('wave_id', name=op.f('uq_review_wave_wave_id'))
    )
    with op.batch_alter_table('review_wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_wave_review_id'), ['review_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_wave_review_id'))

    op.drop_table('review_wave')
    with op.batch_alter_table('review_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_domain_review_id'))

    op.drop_table('review_domain')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_organisation_id'))

    op.drop_table('review')
    with op.batch_alter_table('engagement_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_session_organisation_id'))

    op.drop_table('engagement_session')
