"""Suspending a person: a manager in their own neighbourhoods, an admin site-wide, always
with a reason. The person's public items in that scope get status "suspended" (off every
public page, relay closed); lifting the suspension makes public again exactly those that
no other active suspension still covers. Each step writes its audit entry (which the
person sees in "Mijn gegevens") and its mail in the same transaction.

Views check `can_suspend` / `can_lift` first; these functions trust that."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select

from wijk import audit
from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import Item, ItemStatus, Neighbourhood, NeighbourhoodManager, Suspension, User
from wijk.models.base import utcnow
from wijk.security.permissions import suspended_in


class SuspensionError(Exception):
    """The step does not apply; the message says why ("reason", "self", "already",
    "lifted", "answer")."""


def _my_data_link() -> str:
    return url_for("privacy.mine", _external=True, _anchor="suspensions")


def _items_in_scope(person: User, neighbourhood_id: int | None, status: str) -> list[Item]:
    query = select(Item).where(Item.owner_id == person.id, Item.status == status)
    if neighbourhood_id is not None:
        query = query.where(Item.neighbourhood_id == neighbourhood_id)
    return list(db.session.scalars(query))


def suspend(
    person: User, actor: User, neighbourhood: Neighbourhood | None, reason: str
) -> Suspension:
    """Suspend `person` in `neighbourhood` (None: site-wide) and hide their items there."""
    reason = (reason or "").strip()
    if not reason:
        raise SuspensionError("reason")
    if person.id == actor.id:
        raise SuspensionError("self")
    neighbourhood_id = neighbourhood.id if neighbourhood is not None else None
    existing = db.session.scalar(
        select(Suspension.id).where(
            Suspension.user_id == person.id,
            Suspension.lifted_at.is_(None),
            Suspension.neighbourhood_id.is_(None)
            if neighbourhood_id is None
            else Suspension.neighbourhood_id == neighbourhood_id,
        )
    )
    if existing is not None:
        raise SuspensionError("already")
    suspension = Suspension(
        user_id=person.id,
        neighbourhood_id=neighbourhood_id,
        reason=reason,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(suspension)
    hidden = _items_in_scope(person, neighbourhood_id, "published")
    for item in hidden:
        item.status = ItemStatus.SUSPENDED
    audit.record(
        actor, "person.suspended", subject=person, neighbourhood=neighbourhood_id, detail=reason
    )
    if person.deleted_at is None:
        queue_mail(
            "suspended",
            person.email,
            "suspended",
            locale=person.locale,
            user=person,
            place=neighbourhood.name if neighbourhood else None,
            reason=reason,
            hidden=len(hidden),
            link=_my_data_link(),
        )
    db.session.commit()
    return suspension


def lift(suspension: Suspension, actor: User, reason: str) -> int:
    """Lift the suspension; returns how many items became public again."""
    reason = (reason or "").strip()
    if not reason:
        raise SuspensionError("reason")
    if not suspension.is_active:
        raise SuspensionError("lifted")
    person = suspension.user
    suspension.lifted_at = utcnow()
    suspension.lifted_by_id = actor.id
    suspension.lift_reason = reason
    db.session.flush()
    restored = 0
    for item in _items_in_scope(person, suspension.neighbourhood_id, ItemStatus.SUSPENDED):
        if suspended_in(person, item.neighbourhood_id) is None:
            item.status = "published"
            restored += 1
    audit.record(
        actor,
        "suspension.lifted",
        subject=person,
        neighbourhood=suspension.neighbourhood_id,
        detail=reason,
    )
    if person.deleted_at is None:
        place = suspension.neighbourhood
        queue_mail(
            "suspension_lifted",
            person.email,
            "suspension_lifted",
            locale=person.locale,
            user=person,
            place=place.name if place else None,
            reason=reason,
            restored=restored,
            link=_my_data_link(),
        )
    db.session.commit()
    return restored


def _deciders(suspension: Suspension) -> list[User]:
    """Who reads an answer: the neighbourhood's managers, or the admins for a site-wide
    suspension (and always the person who decided, if still there)."""
    if suspension.neighbourhood_id is None:
        rule = User.is_admin.is_(True)
    else:
        managers = select(NeighbourhoodManager.user_id).where(
            NeighbourhoodManager.neighbourhood_id == suspension.neighbourhood_id
        )
        rule = User.id.in_(managers)
    return list(
        db.session.scalars(
            select(User)
            .where(
                or_(rule, User.id == suspension.created_by_id),
                User.deleted_at.is_(None),
                User.id != suspension.user_id,
            )
            .order_by(User.id)
        )
    )


def answer(suspension: Suspension, person: User, text: str) -> None:
    """The person's answer to the decision, kept with it and mailed to whoever decides
    there. A later answer replaces the earlier one."""
    text = (text or "").strip()
    if not text:
        raise SuspensionError("answer")
    suspension.answer = text
    suspension.answered_at = utcnow()
    audit.record(
        person, "suspension.answered", subject=person, neighbourhood=suspension.neighbourhood_id
    )
    place = suspension.neighbourhood
    link = (
        url_for("manage.suspensions", slug=place.slug, _external=True)
        if place
        else url_for("manage.index", _external=True)
    )
    for decider in _deciders(suspension):
        queue_mail(
            "suspension_answer",
            decider.email,
            "suspension_answer",
            locale=decider.locale,
            name=person.name,
            place=place.name if place else None,
            reason=suspension.reason,
            answer=text,
            link=link,
        )
    db.session.commit()


def of_person(person: User) -> list[Suspension]:
    """The person's suspensions, active ones first, for "Mijn gegevens"."""
    return list(
        db.session.scalars(
            select(Suspension)
            .where(Suspension.user_id == person.id)
            .order_by(
                Suspension.lifted_at.is_not(None),
                Suspension.created_at.desc(),
                Suspension.id.desc(),
            )
        )
    )


def in_neighbourhood(neighbourhood: Neighbourhood, *, site_wide: bool) -> list[Suspension]:
    """Suspensions in this neighbourhood (and site-wide ones when asked), active first."""
    scope = Suspension.neighbourhood_id == neighbourhood.id
    if site_wide:
        scope = or_(scope, Suspension.neighbourhood_id.is_(None))
    return list(
        db.session.scalars(
            select(Suspension)
            .where(scope)
            .order_by(
                Suspension.lifted_at.is_not(None),
                Suspension.created_at.desc(),
                Suspension.id.desc(),
            )
        )
    )
