"""sessions that end server-side: a random session token per account, and the step of the
last accepted TOTP code so a code counts once

Existing accounts get a fresh token each, so sessions made before this migration (which
held the id and part of the password hash) end once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    users = sa.table("user_account", sa.column("id", sa.Integer),
                     sa.column("session_token", sa.String))
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_user_account_session_token"), ["session_token"])


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(op.f("uq_user_account_session_token"), type_="unique")
        batch.drop_column("session_token")
        batch.drop_column("totp_last_step")
