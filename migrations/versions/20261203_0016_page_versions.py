"""page versions per scope, and an index that lets the agenda seek past old dates (issue 16)

One content version for the whole site emptied every cached page at each sign-up
anywhere; `page_version` holds a number per scope (a neighbourhood, a municipality, the
list of places, the site). The expression index matches not_ended() in
wijk/series/occurrences.py, so an agenda no longer reads each activity's past dates.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SEEK_COLUMNS = [
    "activity_id",
    sa.text("coalesce(ends_at, starts_at)"),
    "status",
    "starts_at",
    "ends_at",
]


def upgrade():
    op.create_table(
        "page_version",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_page_version")),
    )
    op.drop_table("content_version")
    op.create_index("ix_activity_occurrence_seek", "activity_occurrence", SEEK_COLUMNS)


def downgrade():
    op.drop_index("ix_activity_occurrence_seek", table_name="activity_occurrence")
    table = op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])
    op.drop_table("page_version")
