"""follows, digests, newsletters by e-mail and the agenda section (issue 13b)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follower',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_follower_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follower')),
    sa.UniqueConstraint('email', name=op.f('uq_follower_email')),
    sa.UniqueConstraint('user_id', name=op.f('uq_follower_user_id'))
    )
    op.create_table('digest_stamp',
    sa.Column('follower_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['follower_id'], ['follower.id'], name=op.f('fk_digest_stamp_follower_id_follower'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follower_id', 'period', name=op.f('pk_digest_stamp'))
    )
    op.create_table('follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follower_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['follower_id'], ['follower.id'], name=op.f('fk_follow_follower_id_follower'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
    sa.UniqueConstraint('follower_id', 'target', name=op.f('uq_follow_follower_id'))
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_follower_id'), ['follower_id'], unique=False)

    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('with_agenda', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('body_source', sa.Text(), nullable=True))

    with op.batch_alter_table('newsletter_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_newsletter_subscription_email'), ['email'], unique=False)



def downgrade():
    with op.batch_alter_table('newsletter_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_newsletter_subscription_email'))
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('locale')
        batch_op.drop_column('email')

    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.drop_column('body_source')
        batch_op.drop_column('with_agenda')

    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_follower_id'))

    op.drop_table('follow')
    op.drop_table('digest_stamp')
    op.drop_table('follower')
