"""moderation depth: suspensions and per-neighbourhood hold rules (issue 17)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "moderation_rules",
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("hold_first_posts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("held_words", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"], ["neighbourhood.id"],
            name=op.f("fk_moderation_rules_neighbourhood_id_neighbourhood"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("neighbourhood_id", name=op.f("pk_moderation_rules")),
    )
    op.create_table(
        "suspension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"],
            name=op.f("fk_suspension_created_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["user_account.id"],
            name=op.f("fk_suspension_lifted_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"], ["neighbourhood.id"],
            name=op.f("fk_suspension_neighbourhood_id_neighbourhood"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"],
            name=op.f("fk_suspension_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspension")),
    )
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.create_index("ix_suspension_active", ["user_id", "lifted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_suspension_neighbourhood_id"),
                              ["neighbourhood_id"], unique=False)


def downgrade():
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_neighbourhood_id"))
        batch_op.drop_index("ix_suspension_active")
    op.drop_table("suspension")
    op.drop_table("moderation_rules")
