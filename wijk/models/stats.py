"""Counts without tracking (issue 14): how often a public page was viewed per day, and
how many rows each retention rule erased per purge run. Neither holds anything about a
visitor or a person: no cookie, no address, no user, no browser, no single visit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.base import Model, not_personal, utcnow

STATS_NOT_PERSONAL = (
    "a number of page views per day and page, added up on the server; it holds no cookie, "
    "IP address, user, browser or single visit"
)


class PageViewCount(Model):
    """One row per (day, thing): a published item, a neighbourhood or a municipality.
    A view adds one to `views`; nothing else about the view is kept anywhere."""

    __tablename__ = "page_view_count"
    __table_args__ = {"info": not_personal(STATS_NOT_PERSONAL)}  # noqa: RUF012

    day: Mapped[date] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class PurgeRun(Model):
    """One run of `flask purge` that erased something, with the count per rule: the
    transparency report's "rows erased per retention rule"."""

    __tablename__ = "purge_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    counts: Mapped[list[PurgeCount]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class PurgeCount(Model):
    __tablename__ = "purge_count"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("purge_run.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    erased: Mapped[int]

    run: Mapped[PurgeRun] = relationship(back_populates="counts")
