"""Administration: neighbourhoods, managers, finding accounts, undeliverable mail and the
audit log. Every role change and every look at someone's data leaves an audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from wijk import audit
from wijk.accounts.services import find_by_email
from wijk.clock import local_day_start
from wijk.extensions import changed_rows, db
from wijk.mail import queue_mail
from wijk.mail.delivery import retry_failed
from wijk.models import (
    AuditEntry,
    Item,
    Neighbourhood,
    NeighbourhoodManager,
    NeighbourhoodPostcode,
    NewsletterSubscription,
    OutboxMessage,
    User,
)
from wijk.models.outbox import OutboxState

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
POSTCODE = re.compile(r"^\d{4}$")
SEARCH_LIMIT = 50
AUDIT_PAGE = 50


class AdminError(Exception):
    """A request the rules refuse; str(error) names the reason."""


# --- neighbourhoods ---------------------------------------------------------------------


def parse_postcodes(text: str | None) -> list[str]:
    """'3531, 3532 3533' -> ['3531', '3532', '3533']; anything that is not four digits
    raises AdminError naming the bad entries."""
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    bad = [p for p in parts if not POSTCODE.match(p)]
    if bad:
        raise AdminError(", ".join(bad))
    return sorted(set(parts))


def neighbourhoods() -> list[tuple[Neighbourhood, int]]:
    """Every neighbourhood with its number of managers."""
    counts = (
        select(NeighbourhoodManager.neighbourhood_id, func.count().label("n"))
        .group_by(NeighbourhoodManager.neighbourhood_id)
        .subquery()
    )
    return list(
        db.session.execute(
            select(Neighbourhood, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.neighbourhood_id == Neighbourhood.id)
            .order_by(Neighbourhood.name)
        ).all()
    )


def slug_taken(slug: str, place: Neighbourhood | None) -> bool:
    query = select(Neighbourhood.id).where(Neighbourhood.slug == slug)
    if place is not None:
        query = query.where(Neighbourhood.id != place.id)
    return db.session.scalar(query) is not None


def save_neighbourhood(
    actor: User,
    *,
    name: str,
    slug: str,
    city: str,
    description: str | None,
    postcodes: list[str],
    place: Neighbourhood | None = None,
) -> Neighbourhood:
    created = place is None
    if place is None:
        place = Neighbourhood()
        db.session.add(place)
    place.name = name.strip()
    place.slug = slug.strip()
    place.city = city.strip()
    place.description = (description or "").strip() or None
    kept = {p.postcode: p for p in place.postcodes}
    place.postcodes = [kept.get(p) or NeighbourhoodPostcode(postcode=p) for p in postcodes]
    db.session.flush()
    audit.record(
        actor,
        "neighbourhood.created" if created else "neighbourhood.updated",
        neighbourhood=place,
        detail=f"{place.name} ({', '.join(postcodes)})",
    )
    db.session.commit()
    return place


def item_count(place: Neighbourhood) -> int:
    return (
        db.session.scalar(select(func.count(Item.id)).where(Item.neighbourhood_id == place.id)) or 0
    )


def delete_neighbourhood(actor: User, place: Neighbourhood) -> None:
    """Only an empty neighbourhood goes: deleting would otherwise take every post in it."""
    if item_count(place):
        raise AdminError("items")
    audit.record(actor, "neighbourhood.deleted", detail=f"{place.name} ({place.slug})")
    db.session.delete(place)
    db.session.commit()


# --- managers ---------------------------------------------------------------------------


def managers_of(place: Neighbourhood) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(NeighbourhoodManager, NeighbourhoodManager.user_id == User.id)
            .where(NeighbourhoodManager.neighbourhood_id == place.id)
            .order_by(User.name)
        )
    )


def appoint(actor: User, place: Neighbourhood, email: str) -> User:
    """Make the owner of a verified account a manager of the neighbourhood."""
    user = find_by_email(email)
    if user is None or not user.is_verified or user.deleted_at is not None:
        raise AdminError("unknown")
    if db.session.get(NeighbourhoodManager, (place.id, user.id)) is not None:
        raise AdminError("already")
    db.session.add(
        NeighbourhoodManager(neighbourhood_id=place.id, user_id=user.id, appointed_by_id=actor.id)
    )
    audit.record(actor, "manager.appointed", subject=user, neighbourhood=place)
    queue_mail(
        "manager_appointed",
        user.email,
        "manager_appointed",
        locale=user.locale,
        user=user,
        neighbourhood=place.name,
        link=url_for("manage.queue", slug=place.slug, _external=True),
    )
    db.session.commit()
    return user


def remove_manager(actor: User, place: Neighbourhood, user_id: int) -> bool:
    removed = changed_rows(
        delete(NeighbourhoodManager).where(
            NeighbourhoodManager.neighbourhood_id == place.id,
            NeighbourhoodManager.user_id == user_id,
        )
    )
    if not removed:
        db.session.rollback()
        return False
    audit.record(actor, "manager.removed", subject=user_id, neighbourhood=place)
    db.session.commit()
    return True


def grant_admin(user: User, actor: User | None = None) -> None:
    user.is_admin = True
    audit.record(actor, "admin.granted", subject=user)
    db.session.commit()


# --- accounts ---------------------------------------------------------------------------


def search_users(actor: User, query: str) -> list[User]:
    """Accounts whose name or e-mail contains the query; each one shown is audited."""
    words = query.strip().lower()
    if len(words) < 2:
        return []
    pattern = "%" + re.sub(r"[\\%_]", "", words) + "%"
    users = list(
        db.session.scalars(
            select(User)
            .where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
            .order_by(User.name, User.id)
            .limit(SEARCH_LIMIT)
        )
    )
    audit.record_each(actor, "user.searched", [u.id for u in users], detail=query[:100])
    db.session.commit()
    return users


@dataclass(frozen=True)
class Account:
    user: User
    managed: list[Neighbourhood]
    subscriptions: list[NewsletterSubscription]
    items: int


def view_user(actor: User, user: User) -> Account:
    audit.record(actor, "user.viewed", subject=user)
    db.session.commit()
    managed = list(
        db.session.scalars(
            select(Neighbourhood)
            .join(NeighbourhoodManager)
            .where(NeighbourhoodManager.user_id == user.id)
            .order_by(Neighbourhood.name)
        )
    )
    subscriptions = list(
        db.session.scalars(
            select(NewsletterSubscription)
            .where(NewsletterSubscription.user_id == user.id)
            .order_by(NewsletterSubscription.subscribed_at.desc())
        )
    )
    items = db.session.scalar(select(func.count(Item.id)).where(Item.owner_id == user.id)) or 0
    return Account(user, managed, subscriptions, items)


# --- undeliverable mail -----------------------------------------------------------------


def failed_messages(actor: User) -> list[OutboxMessage]:
    """Failed outbox rows (addresses included): the people with an account among the
    recipients get an audit entry."""
    messages = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxState.FAILED)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(200)
        )
    )
    addresses = {m.to_addr.lower() for m in messages if m.to_addr}
    if addresses:
        ids = db.session.scalars(select(User.id).where(func.lower(User.email).in_(addresses)))
        audit.record_each(actor, "outbox.viewed", list(ids))
        db.session.commit()
    return messages


def retry(actor: User, message_id: int) -> bool:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or not retry_failed(message_id, commit=False):
        db.session.rollback()
        return False
    subject = find_by_email(message.to_addr) if message.to_addr else None
    audit.record(actor, "outbox.retried", subject=subject, detail=f"#{message_id}")
    db.session.commit()
    return True


# --- the audit log ----------------------------------------------------------------------


@dataclass
class AuditFilter:
    actor: str = ""
    person: str = ""
    action: str = ""
    neighbourhood_id: int | None = None
    since: date | None = None
    until: date | None = None


def _person_ids(text: str) -> list[int] | None:
    """An account id, or an e-mail address (exact) or part of a name; None = no filter."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return [int(text)]
    pattern = "%" + re.sub(r"[\\%_]", "", text.lower()) + "%"
    return list(
        db.session.scalars(
            select(User.id).where(
                or_(func.lower(User.email) == text.lower(), func.lower(User.name).like(pattern))
            )
        )
    )


def audit_log(f: AuditFilter, page: int = 1) -> tuple[list[AuditEntry], bool]:
    query = select(AuditEntry)
    actor_ids = _person_ids(f.actor)
    if actor_ids is not None:
        query = query.where(AuditEntry.actor_id.in_(actor_ids))
    person_ids = _person_ids(f.person)
    if person_ids is not None:
        query = query.where(AuditEntry.subject_id.in_(person_ids))
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.neighbourhood_id:
        query = query.where(AuditEntry.neighbourhood_id == f.neighbourhood_id)
    if f.since:
        query = query.where(AuditEntry.created_at >= local_day_start(f.since))
    if f.until:
        query = query.where(AuditEntry.created_at < local_day_start(f.until + timedelta(days=1)))
    rows = list(
        db.session.scalars(
            query.options(
                selectinload(AuditEntry.actor),
                selectinload(AuditEntry.subject),
                selectinload(AuditEntry.item),
                selectinload(AuditEntry.neighbourhood),
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(AUDIT_PAGE + 1)
            .offset((max(page, 1) - 1) * AUDIT_PAGE)
        )
    )
    return rows[:AUDIT_PAGE], len(rows) > AUDIT_PAGE
