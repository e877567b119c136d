"""neighbourhood requests, page-view counters and purge counts (issue 14, part C)

A resident asks for a neighbourhood for an uncovered postcode; views of public pages are
counted per day and thing (no visitor data at all); every purge run records what each
retention rule erased, for the monthly transparency report.

Revision ID: 0015
Revises: 0018
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_view_count',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'scope', 'ref_id', name=op.f('pk_page_view_count')),
    info={'not_personal': 'a number of page views per day and page, added up on the server; it holds no cookie, IP address, user, browser or single visit'}
    )
    op.create_table('purge_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purge_run'))
    )
    with op.batch_alter_table('purge_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purge_run_ran_at'), ['ran_at'], unique=False)

    op.create_table('purge_count',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('erased', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['purge_run.id'], name=op.f('fk_purge_count_run_id_purge_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'rule', name=op.f('pk_purge_count'))
    )
    op.create_table('neighbourhood_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('municipality_name', sa.String(length=100), nullable=False),
    sa.Column('postcodes', sa.String(length=200), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_neighbourhood_request_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_neighbourhood_request_neighbourhood_id_neighbourhood'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_neighbourhood_request_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_neighbourhood_request'))
    )
    with op.batch_alter_table('neighbourhood_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_neighbourhood_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_neighbourhood_request_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('neighbourhood_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_neighbourhood_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_neighbourhood_request_status'))

    op.drop_table('neighbourhood_request')
    op.drop_table('purge_count')
    with op.batch_alter_table('purge_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purge_run_ran_at'))

    op.drop_table('purge_run')
    op.drop_table('page_view_count')
