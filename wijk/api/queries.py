"""The API's listings: published content only, keyset-paginated on a unique sort key (so
a page deep in a list costs what the first costs), filters as SQL conditions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from wijk.api.schema import ROW_ID_MAX
from wijk.content.categories import has_category
from wijk.extensions import db
from wijk.models import (
    Activity,
    ActivityOccurrence,
    Item,
    ItemKind,
    ItemStatus,
    Municipality,
    Neighbourhood,
    NewsItem,
    Offer,
    Organisation,
)
from wijk.series.occurrences import ON

DATES_SHOWN = 10  # dates per activity in a response


@dataclass(frozen=True)
class Found:
    rows: list[Any]
    next_position: list[Any] | None


def _page(query: Select, limit: int, position_of) -> Found:
    rows = list(db.session.execute(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Found(rows, position_of(rows[-1]) if more and rows else None)


# --- places -----------------------------------------------------------------------------


def municipalities(*, after: list[Any] | None, limit: int) -> Found:
    query = (
        select(Municipality)
        .options(selectinload(Municipality.neighbourhoods))
        .order_by(Municipality.slug)
    )
    if after:
        query = query.where(Municipality.slug > after[0])
    return _page(query, limit, lambda row: [row[0].slug])


def neighbourhoods(
    *, municipality: Municipality | None, after: list[Any] | None, limit: int
) -> Found:
    query = (
        select(Neighbourhood)
        .options(selectinload(Neighbourhood.postcodes))
        .order_by(Neighbourhood.slug)
    )
    if municipality is not None:
        query = query.where(Neighbourhood.municipality_id == municipality.id)
    if after:
        query = query.where(Neighbourhood.slug > after[0])
    return _page(query, limit, lambda row: [row[0].slug])


def in_places(
    neighbourhood: Neighbourhood | None, municipality: Municipality | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if neighbourhood is not None:
        conditions.append(Item.neighbourhood_id == neighbourhood.id)
    if municipality is not None:
        conditions.append(
            Item.neighbourhood_id.in_(
                select(Neighbourhood.id).where(Neighbourhood.municipality_id == municipality.id)
            )
        )
    return conditions


# --- activities -------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The dates a listing looks at: not over at `now`, and within [start, end) when given
    (activity times are Europe/Amsterdam wall-clock, like `now`)."""

    now: datetime
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of_days(cls, now: datetime, first: date | None, last: date | None) -> Window:
        start = datetime.combine(first, time.min) if first else None
        end = datetime.combine(last + timedelta(days=1), time.min) if last else None
        return cls(now, start, end)

    def conditions(self) -> list[ColumnElement[bool]]:
        since = max(self.now, self.start) if self.start else self.now
        found = [func.coalesce(ActivityOccurrence.ends_at, ActivityOccurrence.starts_at) >= since]
        if self.end is not None:
            found.append(ActivityOccurrence.starts_at < self.end)
        return found


def activities(
    conditions: Sequence[ColumnElement[bool]],
    *,
    window: Window,
    category: str | None,
    after: list[Any] | None,
    limit: int,
) -> Found:
    """Published activities with a date (not cancelled) in the window, ordered by their
    first such date; each row is (activity, that date)."""
    first = (
        select(func.min(ActivityOccurrence.starts_at))
        .where(ActivityOccurrence.activity_id == Activity.id, ON, *window.conditions())
        .correlate(Activity)
        .scalar_subquery()
    )
    query = (
        select(Activity, first.label("first_date"))
        .options(joinedload(Activity.organisation))
        .where(Activity.status == ItemStatus.PUBLISHED, first.is_not(None), *conditions)
        .order_by(first, Activity.id)
    )
    if category:
        query = query.where(has_category(Activity.id, category))
    if after:
        moment = datetime.fromisoformat(after[0])
        query = query.where(or_(first > moment, and_(first == moment, Activity.id > after[1])))
    return _page(query, limit, lambda row: [row[1].isoformat(timespec="minutes"), row[0].id])


def dates_of(activity_ids: Sequence[int], window: Window) -> dict[int, list[ActivityOccurrence]]:
    """Up to DATES_SHOWN dates in the window per activity (cancelled ones too: they show
    as such), for a whole page in one query."""
    if not activity_ids:
        return {}
    number = (
        func.row_number()
        .over(
            partition_by=ActivityOccurrence.activity_id,
            order_by=(ActivityOccurrence.starts_at, ActivityOccurrence.id),
        )
        .label("number")
    )
    ranked = (
        select(ActivityOccurrence.id, number)
        .where(ActivityOccurrence.activity_id.in_(activity_ids), *window.conditions())
        .subquery()
    )
    rows = db.session.scalars(
        select(ActivityOccurrence)
        .join(ranked, ranked.c.id == ActivityOccurrence.id)
        .where(ranked.c.number <= DATES_SHOWN)
        .order_by(ActivityOccurrence.starts_at, ActivityOccurrence.id)
    )
    found: dict[int, list[ActivityOccurrence]] = {item_id: [] for item_id in activity_ids}
    for row in rows:
        found[row.activity_id].append(row)
    return found


# --- organisations, offers, news ----------------------------------------------------------


def organisations(
    conditions: Sequence[ColumnElement[bool]], *, after: list[Any] | None, limit: int
) -> Found:
    query = (
        select(Organisation)
        .where(Organisation.status == ItemStatus.PUBLISHED, *conditions)
        .order_by(Organisation.id)
    )
    if after:
        query = query.where(Organisation.id > after[0])
    return _page(query, limit, lambda row: [row[0].id])


def offers(
    conditions: Sequence[ColumnElement[bool]],
    *,
    today: date,
    kind: str | None,
    after: list[Any] | None,
    limit: int,
) -> Found:
    """Open offers and requests (not past their expiry day), newest first."""
    query = (
        select(Offer)
        .options(joinedload(Offer.organisation))
        .where(Offer.status == ItemStatus.PUBLISHED, Offer.expires_on >= today, *conditions)
        .order_by(Offer.id.desc())
    )
    if kind:
        query = query.where(Offer.offer_kind == kind)
    if after:
        query = query.where(Offer.id < after[0])
    return _page(query, limit, lambda row: [row[0].id])


def news(
    conditions: Sequence[ColumnElement[bool]], *, after: list[Any] | None, limit: int
) -> Found:
    query = (
        select(NewsItem)
        .where(NewsItem.status == ItemStatus.PUBLISHED, *conditions)
        .order_by(NewsItem.id.desc())
    )
    if after:
        query = query.where(NewsItem.id < after[0])
    return _page(query, limit, lambda row: [row[0].id])


def published(kind: ItemKind, item_id: int) -> Item | None:
    """One public item of this kind, or None (unknown, another kind, or not published)."""
    if not 0 < item_id <= ROW_ID_MAX:
        return None
    item = db.session.get(Item, item_id)
    if item is None or item.kind != kind or item.status != ItemStatus.PUBLISHED:
        return None
    return item
