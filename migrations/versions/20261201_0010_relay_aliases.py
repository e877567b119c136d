"""double-blind relay: conversations with an alias per side (issue 13)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "relay_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"],
                                name=op.f("fk_relay_conversation_item_id_item"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_conversation")),
    )
    op.create_index(op.f("ix_relay_conversation_item_id"), "relay_conversation", ["item_id"])
    op.create_table(
        "relay_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["relay_conversation.id"],
                                name=op.f("fk_relay_alias_conversation_id_relay_conversation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_alias")),
        sa.UniqueConstraint("conversation_id", "side",
                            name=op.f("uq_relay_alias_conversation_id")),
        sa.UniqueConstraint("token", name=op.f("uq_relay_alias_token")),
    )
    with op.batch_alter_table("relay_message") as batch:
        batch.add_column(sa.Column("conversation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sender_side", sa.String(length=10), nullable=False,
                                   server_default="visitor"))
        batch.create_foreign_key(
            op.f("fk_relay_message_conversation_id_relay_conversation"),
            "relay_conversation", ["conversation_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_relay_message_conversation_id"), ["conversation_id"])
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("from_addr", sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("from_addr")
    with op.batch_alter_table("relay_message") as batch:
        batch.drop_index(op.f("ix_relay_message_conversation_id"))
        batch.drop_constraint(op.f("fk_relay_message_conversation_id_relay_conversation"),
                              type_="foreignkey")
        batch.drop_column("sender_side")
        batch.drop_column("conversation_id")
    op.drop_table("relay_alias")
    op.drop_index(op.f("ix_relay_conversation_item_id"), table_name="relay_conversation")
    op.drop_table("relay_conversation")
