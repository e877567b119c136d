"""search ranks a bounded set: an index on the kind of an item, and (PostgreSQL) the
words of the title with an index of their own

A search of every neighbourhood ranks the newest matches, the newest matches in a title
and every organisation, offer and news item that matches (wijk/discover/search.py). The
index on (kind, id) finds those few items without reading the tens of thousands of
activities a common word matches. On PostgreSQL the title's words get a tsvector column
of their own: the planner then knows how common a word is in titles (it cannot tell
from the weights of search_vector) and finds a rare one through its index. SQLite's FTS5
index already answers a search in one column.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_item_kind", "item", ["kind", "id"])
    # Planner statistics for the new index at once. Where a database already has them for
    # its other indexes (the bench seed ran ANALYZE), SQLite took a new index without any
    # for a selective one and drove the agenda from every activity (83 ms instead of 1).
    op.execute("ANALYZE item")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE item ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ("
            "to_tsvector('dutch', coalesce(title, ''))) STORED"
        )
        op.execute("CREATE INDEX ix_item_title_search ON item USING GIN (title_vector)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_item_title_search")
        op.execute("ALTER TABLE item DROP COLUMN IF EXISTS title_vector")
    op.drop_index("ix_item_kind", table_name="item")
