"""Queries behind the public pages. Listings use keyset pagination so page 500 costs
what page 1 costs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from wijk.extensions import db
from wijk.models import Activity, Item, Neighbourhood, NeighbourhoodPostcode

POSTCODE = re.compile(r"^\s*(\d{4})\s*([a-zA-Z]{2})?\s*$")


def local_now() -> datetime:
    """Activity times are stored as local wall-clock time."""
    from flask_babel import get_timezone

    return datetime.now(get_timezone()).replace(tzinfo=None, second=0, microsecond=0)


def all_neighbourhoods() -> list[Neighbourhood]:
    return list(db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def get_by_slug(slug: str) -> Neighbourhood | None:
    return db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == slug))


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
    neighbourhood: Neighbourhood, *, after: str | None, limit: int, now: datetime | None = None
) -> Page:
    """Activities that have not ended, soonest first, `limit` at a time."""
    now = now or local_now()
    query = (
        select(Activity)
        .options(joinedload(Activity.organisation))
        .where(
            Activity.neighbourhood_id == neighbourhood.id,
            Activity.status == "published",
            or_(
                Activity.ends_at >= now,
                and_(Activity.ends_at.is_(None), Activity.starts_at >= now),
            ),
        )
        .order_by(Activity.starts_at, Activity.id)
        .limit(limit + 1)
    )
    position = _parse_cursor(after)
    if position:
        starts_at, item_id = position
        query = query.where(
            or_(
                Activity.starts_at > starts_at,
                and_(Activity.starts_at == starts_at, Activity.id > item_id),
            )
        )
    rows = list(db.session.scalars(query).unique())
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _cursor(rows[-1]) if has_more and rows else None)


@dataclass(frozen=True)
class Board:
    """The non-agenda content of a neighbourhood page, fetched in one query."""

    organisations: list[Item]
    offers: list[Item]


def board(neighbourhood: Neighbourhood, today: date | None = None) -> Board:
    """Published organisations and open offers/requests (not past their expiry date)."""
    today = today or local_now().date()
    rows = db.session.scalars(
        select(Item)
        .options(joinedload(Item.organisation))
        .where(
            Item.neighbourhood_id == neighbourhood.id,
            Item.status == "published",
            or_(
                Item.kind == "organisation",
                and_(Item.kind == "offer", Item.expires_on >= today),
            ),
        )
        .order_by(Item.kind, Item.title, Item.id)
    )
    organisations, offers = [], []
    for item in rows:
        (organisations if item.kind == "organisation" else offers).append(item)
    offers.sort(key=lambda offer: (offer.created_at, offer.id), reverse=True)
    return Board(organisations, offers)
