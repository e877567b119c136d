"""What the public may be shown of content, as SQL conditions shared by search, the feeds
and the sitemap (the neighbourhood page applies the same rules in its own queries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from wijk.models import Item, ItemKind, ItemStatus

PUBLISHED = Item.status == ItemStatus.PUBLISHED


def not_ended(now: datetime) -> ColumnElement:
    """An activity that is still on: it has not ended (or, without an end, not started)."""
    return or_(Item.ends_at >= now, and_(Item.ends_at.is_(None), Item.starts_at >= now))


def current(now: datetime) -> ColumnElement:
    """Activities still on, offers and requests not past their expiry date, and every
    organisation and news item."""
    return or_(
        and_(Item.kind == ItemKind.ACTIVITY, not_ended(now)),
        and_(Item.kind == ItemKind.OFFER, Item.expires_on >= now.date()),
        Item.kind.in_((ItemKind.ORGANISATION, ItemKind.NEWS)),
    )
