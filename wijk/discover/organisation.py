"""An organisation's own agenda: the upcoming activities and open offers posted on its
behalf, for its page and its iCal and Atom feeds. Published items only; the page and
the feeds show them through the gate like every other listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wijk.discover.listing import PUBLISHED, current, not_ended
from wijk.extensions import db
from wijk.models import Item, ItemKind
from wijk.visibility import ItemView

AGENDA_SHOWN = 20  # on the page; the calendar file holds up to feeds.CALENDAR_SIZE


@dataclass(frozen=True)
class Agenda:
    """What an organisation page lists, already through the gate."""

    activities: list[ItemView]
    offers: list[ItemView]


def _posted_for(organisation_id: int, *conditions, order, limit: int) -> list[Item]:
    """Published items posted on behalf of the organisation, with one more condition."""
    return list(
        db.session.scalars(
            select(Item)
            .options(joinedload(Item.organisation))
            .where(PUBLISHED, Item.organisation_id == organisation_id, *conditions)
            .order_by(*order)
            .limit(limit)
        )
    )


def upcoming_of(organisation_id: int, now: datetime, *, limit: int) -> list[Item]:
    """The organisation's activities that have not ended, soonest first."""
    return _posted_for(
        organisation_id,
        Item.kind == ItemKind.ACTIVITY,
        not_ended(now),
        order=(Item.starts_at, Item.id),
        limit=limit,
    )


def open_offers_of(organisation_id: int, now: datetime, *, limit: int) -> list[Item]:
    """The organisation's offers and requests not past their expiry date, newest first."""
    return _posted_for(
        organisation_id,
        Item.kind == ItemKind.OFFER,
        current(now),
        order=(Item.created_at.desc(), Item.id.desc()),
        limit=limit,
    )


def newest_of(organisation_id: int, now: datetime, *, limit: int) -> list[Item]:
    """For the Atom feed: the organisation's current activities and offers, newest first."""
    return _posted_for(
        organisation_id,
        Item.kind.in_((ItemKind.ACTIVITY, ItemKind.OFFER)),
        current(now),
        order=(Item.created_at.desc(), Item.id.desc()),
        limit=limit,
    )
