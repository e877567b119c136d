"""The digest: per follower and frequency, once per period (a day or an ISO week in
Europe/Amsterdam), the public activities and offers that are new since the previous
digest in what they follow.

Items go through the gate as an anonymous visitor sees them (wijk.visibility), so a
digest can carry no field the public page would not show; the mail holds titles, times,
places and plain links only (no pixels, no tracked links). `send_digests` is idempotent:
a DigestStamp per (follower, period) is written in the transaction that queues the mail,
and its primary key makes a second run, or a second node at the same time, do nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from wijk.clock import local_now, stamp_to_local
from wijk.extensions import db
from wijk.follows import services as follows
from wijk.mail import queue_mail
from wijk.models import (
    FREQUENCIES,
    DigestStamp,
    Follow,
    Follower,
    Item,
    ItemCategory,
    ItemKind,
    ItemStatus,
    User,
)
from wijk.newsletters.formatting import public_url
from wijk.newsletters.services import headers_for
from wijk.visibility import ItemView, item_views

LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
PREFIX = {"daily": "D", "weekly": "W"}
MAX_ITEMS = 50


def period_key(frequency: str, now: datetime) -> str:
    """'D2026-12-01' for a day, 'W2026-49' for an ISO week, in local time."""
    local = stamp_to_local(now)
    if frequency == "daily":
        return f"D{local.date().isoformat()}"
    year, week, _day = local.isocalendar()
    return f"W{year}-{week:02d}"


def _matches(keys: Sequence[str]):
    """SQL for 'the item belongs to one of these follow targets'."""
    conditions = []
    for key in keys:
        kind, _, value = key.partition(":")
        if kind == "neighbourhood" and value.isdigit():
            conditions.append(Item.neighbourhood_id == int(value))
        elif kind == "organisation" and value.isdigit():
            conditions.append(Item.organisation_id == int(value))
        elif kind == "category":
            conditions.append(
                exists().where(ItemCategory.item_id == Item.id, ItemCategory.category == value)
            )
    return or_(*conditions) if conditions else None


def new_items(keys: Sequence[str], since: datetime, now: datetime) -> list[ItemView]:
    """Public activities (not yet over) and offers posted in (since, now]."""
    matches = _matches(keys)
    if matches is None:
        return []
    local = stamp_to_local(now)
    items = db.session.scalars(
        select(Item)
        .where(
            Item.status == ItemStatus.PUBLISHED,
            Item.kind.in_((ItemKind.ACTIVITY, ItemKind.OFFER)),
            Item.created_at > since,
            Item.created_at <= now,
            or_(
                Item.kind != ItemKind.ACTIVITY, func.coalesce(Item.ends_at, Item.starts_at) >= local
            ),
            matches,
        )
        .order_by(Item.kind, Item.starts_at, Item.id)
        .limit(MAX_ITEMS)
    )
    return item_views(items, None)  # None: what an anonymous visitor may see


@dataclass(frozen=True)
class Due:
    follower: Follower
    keys: tuple[str, ...]


def _due(frequency: str, period: str) -> list[Due]:
    """Followers with a counting follow of this frequency and no stamp for the period;
    an account only while it is verified and not deleted."""
    stamped = exists().where(DigestStamp.follower_id == Follower.id, DigestStamp.period == period)
    living = or_(
        Follower.user_id.is_(None),
        exists().where(
            User.id == Follower.user_id,
            User.email_verified_at.is_not(None),
            User.deleted_at.is_(None),
        ),
    )
    rows = db.session.execute(
        select(Follower, Follow.target)
        .join(
            Follow,
            and_(
                Follow.follower_id == Follower.id,
                Follow.frequency == frequency,
                Follow.confirmed_at.is_not(None),
            ),
        )
        .where(~stamped, living)
        .order_by(Follower.id, Follow.target)
    ).all()
    grouped: dict[int, Due] = {}
    for follower, key in rows:
        found = grouped.setdefault(follower.id, Due(follower, ()))
        grouped[follower.id] = Due(follower, (*found.keys, key))
    return list(grouped.values())


def _since(follower_id: int, frequency: str, now: datetime) -> datetime:
    last = db.session.scalar(
        select(func.max(DigestStamp.done_at)).where(
            DigestStamp.follower_id == follower_id, DigestStamp.period.startswith(PREFIX[frequency])
        )
    )
    return last or now - LENGTH[frequency]


def _address(follower: Follower) -> tuple[str, str]:
    user = db.session.get(User, follower.user_id) if follower.user_id is not None else None
    if user is not None:
        return user.email, user.locale or follower.locale
    return follower.email or "", follower.locale


def send_digests(now: datetime) -> dict[str, int]:
    """Queue every digest that is due; safe from cron every hour. Returns the number of
    mails queued per frequency (an empty period is stamped but sends nothing)."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    queued = {}
    for frequency in FREQUENCIES:
        period = period_key(frequency, now)
        queued[frequency] = 0
        for due in _due(frequency, period):
            since = _since(due.follower.id, frequency, now)
            views = new_items(due.keys, since, now)
            db.session.add(
                DigestStamp(
                    follower_id=due.follower.id, period=period, done_at=now, item_count=len(views)
                )
            )
            try:
                db.session.flush()
            except IntegrityError:  # another run took this one
                db.session.rollback()
                continue
            if views:
                email, locale = _address(due.follower)
                link = follows.stop_link(due.follower.id, frequency)
                queue_mail(
                    "digest",
                    email,
                    "digest",
                    locale=locale if locale in languages else default,
                    headers=headers_for(link),
                    frequency=frequency,
                    items=[(view, public_url(view)) for view in views],
                    followed=[follows.label(key) for key in due.keys],
                    unsubscribe_link=link,
                    today=local_now().date(),
                )
                queued[frequency] += 1
            db.session.commit()
    return queued
