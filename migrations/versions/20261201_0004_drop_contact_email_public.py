"""drop item.contact_email_public: the contact e-mail is never public

The flag was never set by any form and never read by the gate; keeping it suggested
that an owner could publish the address. Visitors reach the contact through the relay.

SQLite (3.35+) drops the column in place: a batch that copies the table would drop the
full-text triggers that 0002 put on `item`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("item", recreate="never") as batch:
        batch.drop_column("contact_email_public")


def downgrade():
    with op.batch_alter_table("item", recreate="never") as batch:
        batch.add_column(sa.Column("contact_email_public", sa.Boolean(),
                                   server_default=sa.false(), nullable=False))
