"""Queries behind the public pages. Listings use keyset pagination so page 500 costs
what page 1 costs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter

from sqlalchemy import and_, bindparam, or_, select

from wijk.clock import local_day_start, local_now
from wijk.content.categories import parse_codes
from wijk.extensions import db
from wijk.models import (
    CityNews,
    Item,
    ItemKind,
    ItemStatus,
    Municipality,
    Neighbourhood,
    NeighbourhoodPostcode,
)
from wijk.models.listed import (
    ListedDate,
    ListedItem,
    item_columns,
    listed_item,
    with_place,
)
from wijk.series.occurrences import upcoming_occurrences

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
    """The agenda: one entry per date (`dates`), its activity at the same place in
    `items`, so a weekly series is listed every week."""

    items: Sequence[ListedItem]
    next_cursor: str | None
    categories: dict[int, tuple[str, ...]] = field(default_factory=dict)
    dates: list[ListedDate] = field(default_factory=list)


def upcoming_activities(
    neighbourhood: Neighbourhood,
    *,
    after: str | None,
    limit: int,
    now: datetime | None = None,
    category: str | None = None,
) -> Page:
    """Dates of activities that have not ended, soonest first, `limit` at a time; with
    their categories read in the same query."""
    return _agenda(neighbourhood, after, limit, now, category)


def upcoming_in_city(
    municipality: Municipality,
    *,
    after: str | None,
    limit: int,
    now: datetime | None = None,
    category: str | None = None,
    neighbourhood: Neighbourhood | None = None,
) -> Page:
    """The agenda of every neighbourhood of a municipality (or of one of them): the
    city page, its feeds and its embed read this one query."""
    if neighbourhood is None:
        return _agenda(municipality, after, limit, now, category)
    if neighbourhood.municipality_id != municipality.id:
        return Page([], None)
    return _agenda(neighbourhood, after, limit, now, category)


def _agenda(
    place: Neighbourhood | Municipality,
    after: str | None,
    limit: int,
    now: datetime | None,
    category: str | None,
) -> Page:
    now = now or local_now()
    page = upcoming_occurrences(
        place=place, now=now, limit=limit, after=after, category=category or None
    )
    categories = {
        row.activity_id: parse_codes(codes)
        for row, (codes,) in zip(page.rows, page.extras, strict=True)
    }
    return Page(page.activities, page.next_cursor, categories, page.rows)


@dataclass(frozen=True)
class Board:
    """The non-agenda content of a neighbourhood page, fetched in one query, as plain
    read-only items (wijk.models.listed)."""

    organisations: list[ListedItem]
    offers: list[ListedItem]
    news: list[ListedItem] = field(default_factory=list)


NEWS_DAYS, NEWS_SHOWN = 90, 5


# Built once, values bound: building it cost as much as running it, on every page. Read
# as Core rows: the ORM's hydration of some twenty items cost more than the statement.
_BOARD = (
    with_place(select(*item_columns()))
    .where(
        Item.neighbourhood_id == bindparam("neighbourhood_id"),
        Item.status == ItemStatus.PUBLISHED,
        or_(
            Item.kind == ItemKind.ORGANISATION,
            and_(
                Item.kind == ItemKind.OFFER,
                Item.expires_on >= bindparam("today", type_=Item.expires_on.type),
            ),
            and_(
                Item.kind == ItemKind.NEWS,
                Item.created_at >= bindparam("news_since", type_=Item.created_at.type),
            ),
        ),
    )
    .order_by(Item.kind, Item.title, Item.id)
)


def board(neighbourhood: Neighbourhood, today: date | None = None) -> Board:
    """Published organisations, open offers/requests (not past their expiry date) and
    the latest news of the last NEWS_DAYS days (older news stays in the archive)."""
    today = today or local_now().date()
    news_since = local_day_start(today - timedelta(days=NEWS_DAYS))
    rows = db.session.connection().execute(
        _BOARD,
        {"neighbourhood_id": neighbourhood.id, "today": today, "news_since": news_since},
    )
    found: dict[str, list[ListedItem]] = {"organisation": [], "offer": [], "news": []}
    for row in rows:
        item = listed_item(row)
        found[item.kind].append(item)
    for kind in ("offer", "news"):
        found[kind].sort(key=attrgetter("created_at", "id"), reverse=True)
    return Board(found["organisation"], found["offer"], found["news"][:NEWS_SHOWN])


_CITY_NEWS = (
    select(Neighbourhood, CityNews)
    .outerjoin(
        CityNews,
        and_(
            CityNews.municipality_id == Neighbourhood.municipality_id,
            CityNews.created_at >= bindparam("since", type_=CityNews.created_at.type),
        ),
    )
    .where(Neighbourhood.slug == bindparam("slug"))
    .order_by(CityNews.created_at.desc(), CityNews.id.desc())
    .limit(NEWS_SHOWN)
)


def with_city_news(slug: str, today: date | None = None) -> tuple[Neighbourhood | None, list]:
    """The neighbourhood at `slug` (with its municipality) and its city's news of the
    last NEWS_DAYS days, newest first, in one query (built once): the neighbourhood
    page shows that news marked as city news."""
    today = today or local_now().date()
    since = local_day_start(today - timedelta(days=NEWS_DAYS))
    rows = db.session.execute(_CITY_NEWS, {"slug": slug, "since": since}).all()
    if not rows:
        return None, []
    return rows[0][0], [news for _place, news in rows if news is not None]
