"""Opt-ins for the newsletter of a neighbourhood or a city, and the signed one-click
unsubscribe links. Each opt-in is its own NewsletterSubscription row (place, time,
source); a withdrawal stamps `withdrawn_at` and a new opt-in is a new row, so the
history stays, and the erasure ledger notes it for a restored backup."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update

from wijk import ledger
from wijk.extensions import changed_rows, db
from wijk.models import Municipality, Neighbourhood, NewsletterSubscription, User
from wijk.models.base import utcnow
from wijk.newsletters.places import Place, of_place, place_ids, place_of
from wijk.security.tokens import make_token, read_token

SOURCES = ("signup", "account", "page", "email", "city")
TOKEN_PURPOSE = "unsubscribe"  # noqa: S105 (a salt name, not a secret)


def _ids(values: Iterable[int | None]) -> set[int]:
    return {value for value in values if value is not None}


def active_neighbourhood_ids(user: User) -> set[int]:
    return _ids(
        db.session.scalars(
            select(NewsletterSubscription.neighbourhood_id).where(
                NewsletterSubscription.user_id == user.id,
                NewsletterSubscription.neighbourhood_id.is_not(None),
                NewsletterSubscription.withdrawn_at.is_(None),
            )
        )
    )


def active_municipality_ids(user: User) -> set[int]:
    """The cities whose newsletter the person receives."""
    return _ids(
        db.session.scalars(
            select(NewsletterSubscription.municipality_id).where(
                NewsletterSubscription.user_id == user.id,
                NewsletterSubscription.municipality_id.is_not(None),
                NewsletterSubscription.withdrawn_at.is_(None),
            )
        )
    )


def subscribe_to(user: User, place: Place, source: str) -> NewsletterSubscription | None:
    """Record one opt-in for a neighbourhood's or a city's newsletter; nothing when an
    active one exists. The caller commits."""
    if source not in SOURCES:
        raise ValueError(source)
    active = select(NewsletterSubscription).where(
        NewsletterSubscription.user_id == user.id,
        of_place(NewsletterSubscription, place),
        NewsletterSubscription.withdrawn_at.is_(None),
    )
    if db.session.scalar(active) is not None:
        return None
    subscription = NewsletterSubscription(
        user_id=user.id, source=source, subscribed_at=utcnow(), **place_ids(place)
    )
    db.session.add(subscription)
    return subscription


def subscribe(user: User, neighbourhood_id: int, source: str) -> NewsletterSubscription | None:
    """Record one opt-in for a neighbourhood; nothing when an active one exists. The
    caller commits."""
    place = db.session.get(Neighbourhood, neighbourhood_id)
    if place is None:
        raise ValueError(neighbourhood_id)
    return subscribe_to(user, place, source)


def withdraw_from(user_id: int, place: Place) -> int:
    """Close every active opt-in of this person for this place; the caller commits."""
    withdrawn = changed_rows(
        update(NewsletterSubscription)
        .where(
            NewsletterSubscription.user_id == user_id,
            of_place(NewsletterSubscription, place),
            NewsletterSubscription.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if withdrawn:
        key = "municipality" if isinstance(place, Municipality) else "neighbourhood"
        ledger.note(ledger.NEWSLETTER, user_id, **{key: place.id})
    return withdrawn


def withdraw(user_id: int, neighbourhood_id: int) -> int:
    """Close every active opt-in of this person for this neighbourhood; the caller commits."""
    place = db.session.get(Neighbourhood, neighbourhood_id)
    return withdraw_from(user_id, place) if place is not None else 0


def set_subscriptions(
    user: User,
    wanted: Iterable[int],
    source: str = "account",
    *,
    cities: Iterable[int] | None = None,
) -> None:
    """Make the person's active opt-ins exactly `wanted` (ids of existing neighbourhoods)
    and, when given, `cities` (ids of existing municipalities)."""
    choices: tuple[tuple[type[Place], Iterable[int] | None, set[int]], ...] = (
        (Neighbourhood, wanted, active_neighbourhood_ids(user)),
        (Municipality, cities, active_municipality_ids(user)),
    )
    for model, chosen, current in choices:
        if chosen is None:
            continue
        places = {place.id: place for place in _places(model, set(chosen) | current)}
        for place_id in set(places) & (set(chosen) - current):
            subscribe_to(user, places[place_id], source)
        for place_id in set(places) & (current - set(chosen)):
            withdraw_from(user.id, places[place_id])
    db.session.commit()


def _places(model: type[Place], ids: set[int]) -> list[Place]:
    found = db.session.scalars(select(model).where(model.id.in_(ids)))
    return [place for place in found if isinstance(place, Neighbourhood | Municipality)]


def unsubscribe_token(user_id: int, neighbourhood_id: int) -> str:
    return make_token(TOKEN_PURPOSE, {"u": user_id, "n": neighbourhood_id})


def place_unsubscribe_token(user_id: int, place: Place) -> str:
    """An account's one-click link for a neighbourhood ("n") or a city ("m")."""
    if isinstance(place, Municipality):
        return make_token(TOKEN_PURPOSE, {"u": user_id, "m": place.id})
    return unsubscribe_token(user_id, place.id)


def email_unsubscribe_token(subscription_id: int) -> str:
    """The link of an opt-in without an account names that one row."""
    return make_token(TOKEN_PURPOSE, {"s": subscription_id})


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int | None
    place: Place
    subscription_id: int | None = None


def read_unsubscribe_token(token: str) -> Unsubscribe | None:
    """The signed link never expires (RFC 8058 one-click); a forged one gives None."""
    data = read_token(TOKEN_PURPOSE, token, max_age=None)
    if data and isinstance(data.get("s"), int):
        row = db.session.get(NewsletterSubscription, data["s"])
        if row is None or row.user_id is not None:
            return None
        return Unsubscribe(None, row.place, row.id)
    if not data or not isinstance(data.get("u"), int):
        return None
    ids = [data.get(key) for key in ("n", "m")]
    if not any(isinstance(value, int) for value in ids) or not all(
        value is None or isinstance(value, int) for value in ids
    ):
        return None
    place = place_of(*ids)
    return Unsubscribe(data["u"], place) if place is not None else None


def is_subscribed(target: Unsubscribe) -> bool:
    """Whether the link still has something to stop: a used link says so instead of asking."""
    if target.subscription_id is not None:
        row = db.session.get(NewsletterSubscription, target.subscription_id)
        return row is not None and row.withdrawn_at is None
    if target.user_id is None:
        return False
    active = select(NewsletterSubscription.id).where(
        NewsletterSubscription.user_id == target.user_id,
        of_place(NewsletterSubscription, target.place),
        NewsletterSubscription.withdrawn_at.is_(None),
    )
    return db.session.scalar(active) is not None


def unsubscribe(target: Unsubscribe) -> bool:
    """Withdraw by link, without login; True when something was active."""
    if target.subscription_id is not None:
        closed = changed_rows(
            update(NewsletterSubscription)
            .where(
                NewsletterSubscription.id == target.subscription_id,
                NewsletterSubscription.withdrawn_at.is_(None),
            )
            .values(withdrawn_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    elif target.user_id is not None:
        closed = withdraw_from(target.user_id, target.place)
    else:
        closed = 0
    db.session.commit()
    return closed > 0
