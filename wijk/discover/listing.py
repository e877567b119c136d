"""What the public may be shown of content, as SQL conditions shared by search, the feeds
and the sitemap (the neighbourhood page applies the same rules in its own queries)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from wijk.models import Item, ItemKind, ItemStatus
from wijk.series.occurrences import has_date_on, next_dates
from wijk.visibility import ItemView, on_dates

PUBLISHED = Item.status == ItemStatus.PUBLISHED


def not_ended(now: datetime) -> ColumnElement:
    """An activity that is still on: one of its dates, not cancelled, has not ended (or,
    without an end, not started); a series stays on until its last date."""
    return has_date_on(now, Item.id)


def current(now: Any, today: Any = None) -> ColumnElement:
    """Activities still on, offers and requests not past their expiry date, and every
    organisation and news item. `now` (and then `today`) may be bound parameters of a
    statement built once; `today` is `now`'s date when not given."""
    today = now.date() if today is None else today
    return or_(
        and_(Item.kind == ItemKind.ACTIVITY, not_ended(now)),
        and_(Item.kind == ItemKind.OFFER, Item.expires_on >= today),
        Item.kind.in_((ItemKind.ORGANISATION, ItemKind.NEWS)),
    )


def at_next_date(views: Iterable[ItemView], now: datetime) -> list[ItemView]:
    """Views of a list that shows an activity once (search, Atom): each series at its next
    date not yet over; one query for the whole list."""
    views = list(views)
    return on_next_dates(
        views, next_dates([v.id for v in views if v.kind == ItemKind.ACTIVITY], now)
    )


def on_next_dates(views: Iterable[ItemView], found: Mapping[int, Any]) -> list[ItemView]:
    """Views of a list that shows an activity once, each at the date `found` for it."""
    return [on_dates([view], [found[view.id]])[0] if view.id in found else view for view in views]
