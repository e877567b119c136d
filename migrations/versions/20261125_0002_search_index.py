"""search index: SQLite FTS5 or a PostgreSQL tsvector with a GIN index

Only public, non-personal text is indexed (title, location name, description), so a
hidden contact field can never be found through search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = "title, location_name, description"


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE item_fts USING fts5({COLUMNS}, content='item', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER item_fts_insert AFTER INSERT ON item BEGIN "
            f"INSERT INTO item_fts(rowid, {COLUMNS}) "
            "VALUES (new.id, new.title, new.location_name, new.description); END"
        )
        op.execute(
            "CREATE TRIGGER item_fts_delete AFTER DELETE ON item BEGIN "
            f"INSERT INTO item_fts(item_fts, rowid, {COLUMNS}) "
            "VALUES ('delete', old.id, old.title, old.location_name, old.description); END"
        )
        op.execute(
            "CREATE TRIGGER item_fts_update AFTER UPDATE OF title, location_name, description "
            "ON item BEGIN "
            f"INSERT INTO item_fts(item_fts, rowid, {COLUMNS}) "
            "VALUES ('delete', old.id, old.title, old.location_name, old.description); "
            f"INSERT INTO item_fts(rowid, {COLUMNS}) "
            "VALUES (new.id, new.title, new.location_name, new.description); END"
        )
        op.execute("INSERT INTO item_fts(item_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE item ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('dutch', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('dutch', coalesce(location_name, '')), 'B') || "
            "setweight(to_tsvector('dutch', regexp_replace(coalesce(description, ''), "
            "'<[^>]+>', ' ', 'g')), 'C')) STORED"
        )
        op.execute("CREATE INDEX ix_item_search ON item USING GIN (search_vector)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("item_fts_insert", "item_fts_delete", "item_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS item_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_item_search")
        op.execute("ALTER TABLE item DROP COLUMN IF EXISTS search_vector")
