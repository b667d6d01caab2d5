"""integrity tags (wave public-key tag, response tags, a tagged per-wave tally); hashed sessions

A database writer must not be able to swap a wave's public key, forge or move a response,
or delete one unnoticed (issue 13 §5). The tags are HMACs under a secret kept outside the
database (survey/domain/integrity.py). The columns are nullable: rows written before this
revision carry no tag, and `flask keys adopt` vouches for them once, with the KEK.

`user_account.session_token` now holds the SHA-256 of the session identifier, not the
identifier: upgrade hashes the stored values (so signed-in staff stay signed in);
downgrade cannot un-hash them, so it gives every account a new identifier (everyone signs
in again).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:40:00.000000

"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa

_USERS = sa.table('user_account', sa.column('id', sa.Integer), sa.column('session_token', sa.String))


def _rewrite_session_tokens(new_value):
    connection = op.get_bind()
    rows = connection.execute(sa.select(_USERS.c.id, _USERS.c.session_token)).all()
    for user_id, token in rows:
        connection.execute(
            _USERS.update().where(_USERS.c.id == user_id).values(session_token=new_value(token))
        )


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('wave', sa.Column('public_key_tag', sa.LargeBinary(), nullable=True))
    for table in ('response', 'pending_response'):
        op.add_column(table, sa.Column('tag', sa.LargeBinary(), nullable=True))
    op.create_table('response_tally',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('stored', sa.Integer(), nullable=False),
    sa.Column('digest', sa.LargeBinary(), nullable=False),
    sa.Column('tag', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_response_tally_wave_id_wave')),
    sa.PrimaryKeyConstraint('wave_id', name=op.f('pk_response_tally'))
    )
    _rewrite_session_tokens(lambda token: hashlib.sha256(token.encode('utf-8')).hexdigest())


def downgrade():
    _rewrite_session_tokens(lambda token: secrets.token_urlsafe(32))
    op.drop_table('response_tally')
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): a batch copy would drop and
    # recreate `wave`, which the foreign keys of its stored rows refuse.
    for table in ('pending_response', 'response'):
        op.drop_column(table, 'tag')
    op.drop_column('wave', 'public_key_tag')
