"""The dates of an activity, one row each (issue 12): a single activity has one, a series
one per date of its rule, so the agenda, search and feeds list dates with a plain keyset
query. The rows are rewritten from the rule by wijk/series/occurrences.py."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.clock import LocalDateTime
from wijk.models.base import Model
from wijk.models.content import Activity


class OccurrenceStatus(StrEnum):
    """A date happens as planned, is cancelled, or was moved by its owner to another time
    (iCal: EXDATE for a cancelled one, a RECURRENCE-ID event for a moved one)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    MOVED = "moved"


# A date that lasts longer than a day, in each dialect's words ({0}: the table, or nothing
# where the table is implied). The partial indexes below and `lasts_over_a_day` in
# wijk/series/occurrences.py must say it alike, or the planners do not match them. These
# are the only dates still going on that began more than a day ago: an agenda finds them
# apart and seeks its other dates from a day back.
LASTS_OVER_A_DAY = {
    "sqlite": "julianday({0}ends_at) - julianday({0}starts_at) > 1",
    "postgresql": "{0}ends_at - {0}starts_at > interval '1 day'",
}


def _agenda_indexes(place: str) -> tuple[Index, Index]:
    """The agenda of a place (upcoming_occurrences) reads about a page of rows, however
    many dates it has: the first index seeks to its first date to come, in agenda order,
    the second holds its dates longer than a day by their end. Both cover the query, which
    tells a cancelled or ended date and the activity to join from the index alone."""
    column, covered = f"{place}_id", ("status", "activity_id")
    return (
        Index(f"ix_activity_occurrence_{place}", column, "starts_at", "id", "ends_at", *covered),
        Index(
            f"ix_activity_occurrence_{place}_long",
            *(column, "ends_at", "starts_at", "id", *covered),
            sqlite_where=text(LASTS_OVER_A_DAY["sqlite"].format("")),
            postgresql_where=text(LASTS_OVER_A_DAY["postgresql"].format("")),
        ),
    )


class ActivityOccurrence(Model):
    """One date of an activity, in Europe/Amsterdam wall-clock time like the activity.

    `original_starts_at` is the date the rule gives (the RECURRENCE-ID); it differs from
    `starts_at` only for a moved date, and it is what keeps a cancellation or a move when
    the rows are rewritten."""

    __tablename__ = "activity_occurrence"
    __table_args__ = (
        Index("ix_activity_occurrence_listing", "starts_at", "id"),
        # An agenda seeks, per activity, to its first date not yet over (the expression
        # is not_ended's), instead of reading every past date; covering, so the rows are
        # only read for the page's own dates.
        Index(
            "ix_activity_occurrence_seek",
            "activity_id",
            text("coalesce(ends_at, starts_at)"),
            "status",
            "starts_at",
            "ends_at",
        ),
        UniqueConstraint(
            "activity_id", "original_starts_at", name="uq_activity_occurrence_original"
        ),
        *_agenda_indexes("neighbourhood"),
        *_agenda_indexes("municipality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(LocalDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    original_starts_at: Mapped[datetime] = mapped_column(LocalDateTime)
    status: Mapped[str] = mapped_column(String(20), default=OccurrenceStatus.SCHEDULED)
    # The activity's place, copied onto each of its dates so an agenda filters and seeks
    # on this table alone; wijk/series/places.py keeps them right when an activity or a
    # neighbourhood moves.
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE")
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))

    activity: Mapped[Activity] = relationship(back_populates="occurrences")

    @property
    def is_cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.status == OccurrenceStatus.MOVED
