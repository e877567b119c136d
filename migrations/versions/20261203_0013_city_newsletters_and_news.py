"""city news, and newsletters of a city beside those of a neighbourhood (issue 14)

A newsletter and an opt-in now belong to a neighbourhood or a municipality, exactly one
(the `one_place` check), so the city newsletter shares history, export and retention.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

ONE_PLACE = "(neighbourhood_id IS NULL) <> (municipality_id IS NULL)"


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('city_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_city_news_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_city_news_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_news'))
    )
    with op.batch_alter_table('city_news', schema=None) as batch_op:
        batch_op.create_index('ix_city_news_recent', ['municipality_id', 'created_at'], unique=False)

    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.alter_column('neighbourhood_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_newsletter_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_newsletter_municipality_id_municipality'), 'municipality', ['municipality_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('one_place', ONE_PLACE)

    with op.batch_alter_table('newsletter_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.alter_column('neighbourhood_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_subscription_city_active', ['municipality_id', 'withdrawn_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_newsletter_subscription_municipality_id_municipality'), 'municipality', ['municipality_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('one_place', ONE_PLACE)



def downgrade():
    # City newsletters and their opt-ins have no place in the older schema.
    op.execute("DELETE FROM newsletter_subscription WHERE municipality_id IS NOT NULL")
    op.execute("DELETE FROM newsletter WHERE municipality_id IS NOT NULL")
    with op.batch_alter_table('newsletter_subscription', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_newsletter_subscription_one_place'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_newsletter_subscription_municipality_id_municipality'), type_='foreignkey')
        batch_op.drop_index('ix_subscription_city_active')
        batch_op.alter_column('neighbourhood_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('municipality_id')

    with op.batch_alter_table('newsletter', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_newsletter_one_place'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_newsletter_municipality_id_municipality'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_newsletter_municipality_id'))
        batch_op.alter_column('neighbourhood_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('municipality_id')

    with op.batch_alter_table('city_news', schema=None) as batch_op:
        batch_op.drop_index('ix_city_news_recent')

    op.drop_table('city_news')
