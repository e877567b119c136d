"""activity series: RRULE on the activity, one row per date (issue 12)

The free-text "recurrence" goes: text that reads as a common rule ("elke dinsdag",
"elke twee weken", "elke eerste zaterdag van de maand") becomes an RRULE; anything else
is kept as a line at the end of the description. Every activity gets its dates.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import re
from datetime import timedelta

import sqlalchemy as sa
from alembic import op
from dateutil.rrule import rrulestr

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DAYS = {"maandag": "MO", "dinsdag": "TU", "woensdag": "WE", "donderdag": "TH",
        "vrijdag": "FR", "zaterdag": "SA", "zondag": "SU"}
ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "laatste": -1}
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def rule_for(text, first):
    """The RRULE of the old free text, for a series from `first` over one year (the old
    text had no end), or None where it does not read as a common rule on `first`'s day."""
    words = re.sub(r"[^a-z ]", " ", (text or "").lower()).split()
    own = CODES[first.weekday()]
    if next((DAYS[w] for w in words if w in DAYS), own) != own:
        return None
    phrase = " ".join(w for w in words if w not in DAYS and w != "op")
    until = f";UNTIL={(first + timedelta(days=365)):%Y%m%dT235959}"
    if phrase in ("elke", "iedere", "elke week", "iedere week", "wekelijks"):
        return f"FREQ=WEEKLY;BYDAY={own}{until}"
    if phrase in ("elke twee weken", "om de week", "om de twee weken", "tweewekelijks"):
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={own}{until}"
    monthly = re.fullmatch(r"(?:elke|iedere) (\w+) van de maand", phrase)
    if monthly and monthly.group(1) in ORDINALS:
        place = ORDINALS[monthly.group(1)]
        fits = (first + timedelta(days=7)).month != first.month if place == -1 \
            else (first.day - 1) // 7 + 1 == place
        return f"FREQ=MONTHLY;BYDAY={place}{own}{until}" if fits else None
    return None


def upgrade():
    # Plain ALTER TABLE, not batch mode: recreating `item` on SQLite would lose the
    # search index triggers of migration 0002.
    op.add_column("item", sa.Column("rrule", sa.String(length=500), nullable=True))
    op.create_table(
        "activity_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("original_starts_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["item.id"],
            name=op.f("fk_activity_occurrence_activity_id_item"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_occurrence")),
        sa.UniqueConstraint("activity_id", "original_starts_at",
                            name="uq_activity_occurrence_original"),
    )
    op.create_index("ix_activity_occurrence_listing", "activity_occurrence",
                    ["starts_at", "id"])

    bind = op.get_bind()
    # Typed columns, so the dates are written in the format the models write.
    item = sa.table("item", sa.column("id"), sa.column("kind"),
                    sa.column("starts_at", sa.DateTime()), sa.column("ends_at", sa.DateTime()),
                    sa.column("recurrence"), sa.column("rrule"), sa.column("description"))
    occurrence = sa.table("activity_occurrence", sa.column("activity_id"),
                          sa.column("starts_at", sa.DateTime()),
                          sa.column("ends_at", sa.DateTime()),
                          sa.column("original_starts_at", sa.DateTime()), sa.column("status"))
    rows = bind.execute(sa.select(item.c.id, item.c.starts_at, item.c.ends_at,
                                  item.c.recurrence, item.c.description)
                        .where(item.c.kind == "activity", item.c.starts_at.is_not(None)))
    for item_id, starts_at, ends_at, text, description in list(rows):
        rule = rule_for(text, starts_at) if text else None
        if rule:
            bind.execute(item.update().where(item.c.id == item_id).values(rrule=rule))
        elif text:
            note = f"<p>{text.replace('&', '&amp;').replace('<', '&lt;')}</p>"
            bind.execute(item.update().where(item.c.id == item_id)
                         .values(description=(description or "") + note))
        starts = list(rrulestr(f"RRULE:{rule}", dtstart=starts_at)) if rule else [starts_at]
        length = ends_at - starts_at if ends_at else None
        if starts:
            bind.execute(occurrence.insert(), [
                {"activity_id": item_id, "starts_at": start, "original_starts_at": start,
                 "ends_at": start + length if length is not None else None,
                 "status": "scheduled"} for start in starts])
    op.execute("ALTER TABLE item DROP COLUMN recurrence")  # SQLite 3.35+ and PostgreSQL


def downgrade():
    op.add_column("item", sa.Column("recurrence", sa.String(length=200), nullable=True))
    op.drop_index("ix_activity_occurrence_listing", table_name="activity_occurrence")
    op.drop_table("activity_occurrence")
    op.execute("ALTER TABLE item DROP COLUMN rrule")
