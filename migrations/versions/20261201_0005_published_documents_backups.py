"""published documents, accessibility checks and the erasure ledger (issue 15)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_document")),
        sa.UniqueConstraint("document", "digest",
                            name=op.f("uq_published_document_document")),
    )
    op.create_index(op.f("ix_published_document_document"), "published_document",
                    ["document"])
    op.create_table(
        "accessibility_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accessibility_check")),
    )
    op.create_index(op.f("ix_accessibility_check_checked_at"), "accessibility_check",
                    ["checked_at"])
    op.create_table(
        "erasure_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_record")),
    )
    op.create_index(op.f("ix_erasure_record_recorded_at"), "erasure_record",
                    ["recorded_at"])


def downgrade():
    op.drop_table("erasure_record")
    op.drop_table("accessibility_check")
    op.drop_table("published_document")
