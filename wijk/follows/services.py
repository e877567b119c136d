"""Following: what can be followed, the double opt-in of a follow by e-mail, and
stopping. A follow by an account counts at once (its address is confirmed); a follow by
e-mail counts once the link in its confirmation mail was used. Stopping deletes the
follow, and the follower with its last follow: nothing is kept that no longer serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import delete, select

from wijk.content import categories
from wijk.extensions import changed_rows, db
from wijk.mail import queue_mail
from wijk.models import FREQUENCIES, Follow, Follower, Item, ItemKind, Neighbourhood, User
from wijk.security.tokens import make_token, read_token

KINDS = ("neighbourhood", "organisation", "category")
CONFIRM_PURPOSE = "follow-confirm"
STOP_PURPOSE = "follow-stop"
CONFIRM_WITHIN = timedelta(days=7)  # also the retention of an unconfirmed follow


@dataclass(frozen=True)
class Target:
    """Something that can be followed, as stored in Follow.target ('kind:value')."""

    kind: str
    value: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def target(key: str | None) -> Target | None:
    """The target a key names, when it exists and may be followed (a form is untrusted)."""
    kind, _, value = (key or "").partition(":")
    if kind == "category":
        code = categories.valid(value)
        return Target(kind, code, categories.label(code)) if code else None
    if kind not in KINDS or not value.isdigit() or len(value) > 12:
        return None
    if kind == "neighbourhood":
        place = db.session.get(Neighbourhood, int(value))
        return Target(kind, value, place.name) if place else None
    item = db.session.get(Item, int(value))
    if item is None or item.kind != ItemKind.ORGANISATION or not item.is_published:
        return None
    return Target(kind, value, item.title)


def label(key: str) -> str:
    found = target(key)
    return found.label if found else key


def _frequency(value: str | None) -> str:
    return value if value in FREQUENCIES else "weekly"


def _follow(follower: Follower, key: str, frequency: str, now: datetime) -> Follow:
    row = db.session.scalar(
        select(Follow).where(Follow.follower_id == follower.id, Follow.target == key)
    )
    if row is None:
        row = Follow(follower_id=follower.id, target=key, created_at=now)
        db.session.add(row)
    row.frequency = frequency
    return row


def follow_as_account(user: User, found: Target, frequency: str | None, now: datetime) -> Follow:
    """An account follows at once; following again changes the frequency."""
    follower = db.session.scalar(select(Follower).where(Follower.user_id == user.id))
    if follower is None:
        follower = Follower(user_id=user.id, locale=user.locale or "", created_at=now)
        db.session.add(follower)
        db.session.flush()
    row = _follow(follower, found.key, _frequency(frequency), now)
    row.confirmed_at = row.confirmed_at or now
    db.session.commit()
    return row


def request_follow(
    email: str, found: Target, frequency: str | None, locale: str, now: datetime
) -> bool:
    """Record a pending follow for an address and queue its confirmation mail. False,
    and no mail, when the address follows this already (the page says the same)."""
    email = email.strip().lower()
    follower = db.session.scalar(select(Follower).where(Follower.email == email))
    if follower is None:
        follower = Follower(email=email, locale=locale, created_at=now)
        db.session.add(follower)
        db.session.flush()
    existing = db.session.scalar(
        select(Follow).where(Follow.follower_id == follower.id, Follow.target == found.key)
    )
    if existing is not None and existing.confirmed_at is not None:
        db.session.rollback()
        return False
    row = existing or _follow(follower, found.key, _frequency(frequency), now)
    row.frequency = _frequency(frequency)
    db.session.flush()
    link = url_for(
        "follows.confirm", token=make_token(CONFIRM_PURPOSE, {"f": row.id}), _external=True
    )
    queue_mail(
        "follow_confirm",
        email,
        "follow_confirm",
        locale=locale,
        label=found.label,
        frequency=row.frequency,
        link=link,
        days=CONFIRM_WITHIN.days,
    )
    db.session.commit()
    return True


def pending(token: str) -> Follow | None:
    data = read_token(CONFIRM_PURPOSE, token, max_age=int(CONFIRM_WITHIN.total_seconds()))
    if not data or not isinstance(data.get("f"), int):
        return None
    return db.session.get(Follow, data["f"])


def confirm(row: Follow, now: datetime) -> None:
    if row.confirmed_at is None:
        row.confirmed_at = now
        db.session.commit()


# --- stopping ---------------------------------------------------------------------------


def stop_token(follower_id: int, frequency: str) -> str:
    return make_token(STOP_PURPOSE, {"f": follower_id, "q": frequency})


def stop_link(follower_id: int, frequency: str) -> str:
    return url_for("follows.stop", token=stop_token(follower_id, frequency), _external=True)


@dataclass(frozen=True)
class Stop:
    follower: Follower
    frequency: str


def read_stop_token(token: str) -> Stop | None:
    """Like the newsletter's, the link never expires (RFC 8058 one-click)."""
    data = read_token(STOP_PURPOSE, token, max_age=None)
    if not data or not isinstance(data.get("f"), int) or data.get("q") not in FREQUENCIES:
        return None
    follower = db.session.get(Follower, data["f"])
    return Stop(follower, data["q"]) if follower is not None else None


def _drop_if_empty(follower_id: int) -> None:
    if db.session.scalar(select(Follow.id).where(Follow.follower_id == follower_id)) is None:
        db.session.execute(delete(Follower).where(Follower.id == follower_id))


def stop(found: Stop) -> int:
    """This digest stops: every follow of that frequency goes."""
    removed = changed_rows(
        delete(Follow).where(
            Follow.follower_id == found.follower.id, Follow.frequency == found.frequency
        )
    )
    _drop_if_empty(found.follower.id)
    db.session.commit()
    return removed


def stop_one(user: User, follow_id: int) -> bool:
    """An account stops one of its own follows."""
    removed = changed_rows(
        delete(Follow).where(
            Follow.id == follow_id,
            Follow.follower_id.in_(select(Follower.id).where(Follower.user_id == user.id)),
        )
    )
    follower_id = db.session.scalar(select(Follower.id).where(Follower.user_id == user.id))
    if follower_id is not None:
        _drop_if_empty(follower_id)
    db.session.commit()
    return removed > 0


def follows_of(user: User) -> list[Follow]:
    """An account's follows, for its account page and "Mijn gegevens"."""
    return list(
        db.session.scalars(
            select(Follow)
            .join(Follower, Follower.id == Follow.follower_id)
            .where(Follower.user_id == user.id)
            .order_by(Follow.created_at, Follow.id)
        )
    )
