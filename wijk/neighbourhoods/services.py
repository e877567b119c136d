"""Queries behind the public pages. Listings use keyset pagination so page 500 costs
what page 1 costs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from wijk.clock import local_day_start, local_now
from wijk.content.categories import codes_column, has_category, parse_codes
from wijk.extensions import db
from wijk.models import Activity, Item, ItemKind, ItemStatus, Neighbourhood, NeighbourhoodPostcode

POSTCODE = re.compile(r"^\s*(\d{4})\s*([a-zA-Z]{2})?\s*$")


def parse_postcode(text: str) -> str | None:
    """'1234', '1234AB' and '1234 ab' all give '1234'; anything else gives None."""
    match = POSTCODE.match(text or "")
    return match.group(1) if match else None


def find_by_postcode(postcode: str) -> list[Neighbourhood]:
    return list(
        db.session.scalars(
            select(Neighbourhood)
            .join(NeighbourhoodPostcode)
            .where(NeighbourhoodPostcode.postcode == postcode)
            .order_by(Neighbourhood.name)
        )
    )


@dataclass(frozen=True)
class Page:
    items: list[Item]
    next_cursor: str | None
    categories: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _cursor(activity: Item) -> str:
    return f"{activity.starts_at:%Y%m%d%H%M}-{activity.id}"


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, item_id = cursor.split("-", 1)
        return datetime.strptime(stamp, "%Y%m%d%H%M"), int(item_id)
    except ValueError:
        return None


def upcoming_activities(
    neighbourhood: Neighbourhood, *, after: str | None, limit: int, now: datetime | None = None,
    category: str | None = None,
) -> Page:
    """Activities that have not ended, soonest first, `limit` at a time; with their
    categories read in the same query."""

    now = now or local_now()
    query = (
        select(Activity, codes_column(Activity.id))
        .options(joinedload(Activity.organisation))
        .where(
            Activity.neighbourhood_id == neighbourhood.id,
            Activity.status == ItemStatus.PUBLISHED,
            or_(
                Activity.ends_at >= now,
                and_(Activity.ends_at.is_(None), Activity.starts_at >= now),
            ),
        )
        .order_by(Activity.starts_at, Activity.id)
        .limit(limit + 1)
    )
    if category:
        query = query.where(has_category(Activity.id, category))
    position = _parse_cursor(after)
    if position:
        starts_at, item_id = position
        query = query.where(
            or_(
                Activity.starts_at > starts_at,
                and_(Activity.starts_at == starts_at, Activity.id > item_id),
            )
        )
    found = list(db.session.execute(query).unique())
    has_more = len(found) > limit
    found = found[:limit]
    rows = [activity for activity, _codes in found]
    categories = {activity.id: parse_codes(codes) for activity, codes in found}
    return Page(rows, _cursor(rows[-1]) if has_more and rows else None, categories)


@dataclass(frozen=True)
class Board:
    """The non-agenda content of a neighbourhood page, fetched in one query."""

    organisations: list[Item]
    offers: list[Item]
    news: list[Item] = field(default_factory=list)


NEWS_DAYS, NEWS_SHOWN = 90, 5


def board(neighbourhood: Neighbourhood, today: date | None = None) -> Board:
    """Published organisations, open offers/requests (not past their expiry date) and
    the latest news of the last NEWS_DAYS days (older news stays in the archive)."""
    today = today or local_now().date()
    news_since = local_day_start(today - timedelta(days=NEWS_DAYS))
    rows = db.session.scalars(
        select(Item)
        .options(joinedload(Item.organisation))
        .where(
            Item.neighbourhood_id == neighbourhood.id,
            Item.status == ItemStatus.PUBLISHED,
            or_(
                Item.kind == ItemKind.ORGANISATION,
                and_(Item.kind == ItemKind.OFFER, Item.expires_on >= today),
                and_(Item.kind == ItemKind.NEWS, Item.created_at >= news_since),
            ),
        )
        .order_by(Item.kind, Item.title, Item.id)
    )
    found: dict[str, list[Item]] = {"organisation": [], "offer": [], "news": []}
    for item in rows:
        found[item.kind].append(item)
    for kind in ("offer", "news"):
        found[kind].sort(key=attrgetter("created_at", "id"), reverse=True)
    return Board(found["organisation"], found["offer"], found["news"][:NEWS_SHOWN])
