"""an index on the kind of an item: search ranks every match that is not an activity

A search of every neighbourhood ranks the newest matches and every organisation, offer
and news item that matches (wijk/discover/search.py); this index finds those few items
without reading the tens of thousands of activities a common word matches.

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-03
"""

from alembic import op

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_item_kind", "item", ["kind", "id"])


def downgrade():
    op.drop_index("ix_item_kind", table_name="item")
