"""municipalities above the neighbourhoods, and their staff (issue 14)

Every neighbourhood's free-text city becomes a row of `municipality`, so the city is a
thing with a page, a role and statistics rather than a label.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import re
import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-") or "gemeente"


def upgrade():
    municipality = op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('name', name=op.f('uq_municipality_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_municipality_slug'))
    )
    op.create_table('municipality_staff',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('appointed_at', sa.DateTime(), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['user_account.id'], name=op.f('fk_municipality_staff_appointed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_municipality_staff_municipality_id_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_municipality_staff_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', 'user_id', name=op.f('pk_municipality_staff'))
    )
    with op.batch_alter_table('municipality_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_staff_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))

    conn = op.get_bind()
    hood = sa.table('neighbourhood', sa.column('id'), sa.column('city'), sa.column('municipality_id'))
    names = sorted({" ".join((c or "").split()) or "Onbekend" for (c,) in conn.execute(sa.select(hood.c.city))})
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    slugs = set()
    for name in names:
        slug = base = _slugify(name)
        n = 2
        while slug in slugs:
            slug, n = f"{base}-{n}", n + 1
        slugs.add(slug)
        conn.execute(sa.insert(municipality).values(name=name, slug=slug, created_at=now))
    ids = {name: id_ for id_, name in conn.execute(sa.select(municipality.c.id, municipality.c.name))}
    for hood_id, city in conn.execute(sa.select(hood.c.id, hood.c.city)).fetchall():
        conn.execute(
            sa.update(hood).where(hood.c.id == hood_id)
            .values(municipality_id=ids[" ".join((city or "").split()) or "Onbekend"])
        )

    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_neighbourhood_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_neighbourhood_municipality_id_municipality'), 'municipality', ['municipality_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_column('city')


def downgrade():
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE neighbourhood SET city = (SELECT name FROM municipality "
        "WHERE municipality.id = neighbourhood.municipality_id)"
    ))
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.alter_column('city', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_neighbourhood_municipality_id_municipality'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_neighbourhood_municipality_id'))
        batch_op.drop_column('municipality_id')
    with op.batch_alter_table('municipality_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_staff_user_id'))
    op.drop_table('municipality_staff')
    op.drop_table('municipality')
