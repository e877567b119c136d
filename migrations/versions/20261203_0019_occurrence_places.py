"""the place of each date: neighbourhood and municipality on activity_occurrence (issue 16)

An agenda filtered dates on their activity's neighbourhood, so the busiest neighbourhood
read every upcoming date of thousands of activities to keep a page of them. Each date now
carries its activity's neighbourhood and that neighbourhood's municipality, with an index
per place that seeks to its first date to come in agenda order, and a small partial index
per place of the dates longer than a day (wijk/series/occurrences.py explains why).
PostgreSQL gets statistics on the length of a date, without which it guesses a third of
the dates last longer than a day and reads the agenda index for them instead.

SQLite cannot make an added column NOT NULL with a foreign key without rebuilding the
table, and dropping the old table with foreign keys on would delete, by cascade, the
sign-ups for its dates: the rebuild runs with foreign keys off (PRAGMA foreign_keys is
ignored inside a transaction, hence the commits) and checks them before it ends.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-03
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE = "activity_occurrence"
PLACES = {"neighbourhood": "neighbourhood", "municipality": "municipality"}
# As the model says it (wijk/models/series.py, LASTS_OVER_A_DAY).
LONG = {
    "sqlite": "julianday(ends_at) - julianday(starts_at) > 1",
    "postgresql": "ends_at - starts_at > interval '1 day'",
}
STATISTICS = "activity_occurrence_length"
SEEK_COLUMNS = [  # migration 0016's expression index, which a SQLite rebuild drops
    "activity_id",
    sa.text("coalesce(ends_at, starts_at)"),
    "status",
    "starts_at",
    "ends_at",
]


@contextmanager
def _foreign_keys_off(bind):
    """SQLite only: the rebuild of the table without its foreign keys acting."""
    raw = bind.connection.driver_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _rebuild(bind, change):
    """Apply `change` to a batch of the table: in place on PostgreSQL, by a rebuild with
    foreign keys off on SQLite (keeping migration 0016's expression index)."""
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table(TABLE) as batch:
            change(batch)
        return
    with _foreign_keys_off(bind):
        op.drop_index("ix_activity_occurrence_seek", table_name=TABLE)
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            change(batch)
        op.create_index("ix_activity_occurrence_seek", TABLE, SEEK_COLUMNS)


def upgrade():
    bind = op.get_bind()
    for place in PLACES:
        op.add_column(TABLE, sa.Column(f"{place}_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE activity_occurrence SET "
        "neighbourhood_id = (SELECT item.neighbourhood_id FROM item"
        " WHERE item.id = activity_occurrence.activity_id), "
        "municipality_id = (SELECT neighbourhood.municipality_id FROM item"
        " JOIN neighbourhood ON neighbourhood.id = item.neighbourhood_id"
        " WHERE item.id = activity_occurrence.activity_id)"
    )

    def constrain(batch):
        for place, table in PLACES.items():
            batch.alter_column(f"{place}_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                f"fk_activity_occurrence_{place}_id_{table}",
                table,
                [f"{place}_id"],
                ["id"],
                ondelete="CASCADE",
            )

    _rebuild(bind, constrain)
    for place in PLACES:
        column = f"{place}_id"
        op.create_index(
            f"ix_activity_occurrence_{place}",
            TABLE,
            [column, "starts_at", "id", "ends_at", "status", "activity_id"],
        )
        op.create_index(
            f"ix_activity_occurrence_{place}_long",
            TABLE,
            [column, "ends_at", "starts_at", "id", "status", "activity_id"],
            sqlite_where=sa.text(LONG["sqlite"]),
            postgresql_where=sa.text(LONG["postgresql"]),
        )
    if bind.dialect.name == "postgresql":
        op.execute(f"CREATE STATISTICS {STATISTICS} ON (ends_at - starts_at) FROM {TABLE}")
        op.execute(f"ANALYZE {TABLE}")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    for place in PLACES:
        op.drop_index(f"ix_activity_occurrence_{place}_long", table_name=TABLE)
        op.drop_index(f"ix_activity_occurrence_{place}", table_name=TABLE)

    def unconstrain(batch):
        for place, table in PLACES.items():
            batch.drop_constraint(f"fk_activity_occurrence_{place}_id_{table}", type_="foreignkey")
            batch.drop_column(f"{place}_id")

    _rebuild(bind, unconstrain)
