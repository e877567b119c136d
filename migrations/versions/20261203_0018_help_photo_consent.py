"""issue 18b: "Hulp nodig?" questions, the consent answers stored with a picture, and
the language of relay aliases and privacy requests (mail in the recipient's language)

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['relay_conversation.id'], name=op.f('fk_help_request_conversation_id_relay_conversation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_help_request_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request'))
    )
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_request_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_user_id'), ['user_id'], unique=False)

    op.create_table('picture_consent',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('picture_key', sa.String(length=40), nullable=False),
    sa.Column('people', sa.Boolean(), nullable=False),
    sa.Column('people_agreed', sa.Boolean(), nullable=True),
    sa.Column('children', sa.Boolean(), nullable=True),
    sa.Column('guardian_agreed', sa.Boolean(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_picture_consent_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_picture_consent_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_picture_consent'))
    )

    with op.batch_alter_table('relay_alias', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))

    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('relay_alias', schema=None) as batch_op:
        batch_op.drop_column('locale')

    op.drop_table('picture_consent')

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_help_request_conversation_id'))

    op.drop_table('help_request')
