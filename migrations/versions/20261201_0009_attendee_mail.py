"""attendees are told: the sign-up's language, reminder stamp and date of a series,
outbox attachments (issue 12, part B)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signup") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("occurrence_id", sa.Integer(), nullable=True))
        batch.create_index("ix_signup_occurrence_id", ["occurrence_id"])
        batch.create_foreign_key("fk_signup_occurrence_id_activity_occurrence",
                                 "activity_occurrence", ["occurrence_id"], ["id"],
                                 ondelete="CASCADE")
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("attachments")
    with op.batch_alter_table("signup") as batch:
        batch.drop_constraint("fk_signup_occurrence_id_activity_occurrence",
                              type_="foreignkey")
        batch.drop_index("ix_signup_occurrence_id")
        batch.drop_column("occurrence_id")
        batch.drop_column("reminded_at")
        batch.drop_column("locale")
