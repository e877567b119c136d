"""Moderation by neighbourhood managers: the queue, hide and restore with a reason,
editing with a kept revision, reports, and the audit entry each step leaves.

The views have already checked `can_moderate`; these functions trust that, write the
change, its audit entry and the author's notification in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, request, url_for
from sqlalchemy import func, select

from wijk import audit
from wijk.clock import local_now
from wijk.content.services import KIND_FIELDS, KIND_SLUGS, apply
from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import (
    AuditEntry,
    Item,
    ItemRevision,
    ItemStatus,
    Neighbourhood,
    NeighbourhoodManager,
    Report,
    User,
)
from wijk.models.base import utcnow
from wijk.moderation.holds import held_items
from wijk.security.permissions import (
    can_moderate,
    city_neighbourhood_ids,
    managed_neighbourhood_ids,
)
from wijk.signups import notices

QUEUE_DAYS = 14
# One "viewed the author" entry covers every look by the same manager at the same item
# within this time: a moderation is one visit, not one entry per page load.
AUTHOR_VIEW_WINDOW = timedelta(hours=1)
# What a manager may change when improving an item. Contact details and their
# visibility flags stay the author's decision, as do neighbourhood and organisation.
EDITABLE_COMMON = ("title", "description")


class ModerationError(Exception):
    """The step does not apply to the item in its current state."""


def managed_neighbourhoods(user: User) -> list[Neighbourhood]:
    """The neighbourhoods the user moderates: the appointed ones and those of the cities
    the user is staff of, or all for an admin."""
    query = select(Neighbourhood).order_by(Neighbourhood.name)
    if not user.is_admin:
        ids = managed_neighbourhood_ids(user) | city_neighbourhood_ids(user)
        query = query.where(Neighbourhood.id.in_(ids))
    return list(db.session.scalars(query))


def deny(actor: User, neighbourhood: Neighbourhood | int | None, item: Item | None = None):
    """Record a refused attempt on another neighbourhood, then answer 403."""
    audit.record(
        actor,
        "access.denied",
        item=item,
        neighbourhood=neighbourhood,
        detail=f"{request.method} {request.path}"[:500],
    )
    db.session.commit()
    abort(403)


def require_scope(actor: User, neighbourhood: Neighbourhood, item: Item | None = None) -> None:
    """403 with an audit entry unless the actor moderates the neighbourhood and the item
    (when given) lies in it; a forged URL or form for another neighbourhood ends here."""
    if not can_moderate(actor, neighbourhood):
        deny(actor, neighbourhood, item)
    if item is not None and item.neighbourhood_id != neighbourhood.id:
        deny(actor, item.neighbourhood_id, item)


def place_in_scope(actor: User, slug: str) -> Neighbourhood:
    """The neighbourhood at this URL if the actor moderates it: 404 when there is none,
    403 with an audit entry when it is not theirs."""
    place = Neighbourhood.by_slug(slug)
    if place is None:
        abort(404)
    require_scope(actor, place)
    return place


# --- the queue --------------------------------------------------------------------------


def last_review(neighbourhood: Neighbourhood) -> datetime | None:
    """When a manager of the neighbourhood last marked the queue as reviewed."""
    return db.session.scalar(
        select(func.max(AuditEntry.created_at)).where(
            AuditEntry.action == "queue.reviewed", AuditEntry.neighbourhood_id == neighbourhood.id
        )
    )


@dataclass(frozen=True)
class Queue:
    since: datetime
    new_items: list[Item]
    reported: list[tuple[Item, int]]  # (item, open reports)
    held: list[Item] = field(default_factory=list)  # waiting for approval


def moderation_queue(neighbourhood: Neighbourhood, now: datetime | None = None) -> Queue:
    """Items posted since the last review (at most 14 days back) and items with open
    reports, in this neighbourhood only."""
    now = now or utcnow()
    since = max(filter(None, [last_review(neighbourhood), now - timedelta(days=QUEUE_DAYS)]))
    new_items = list(
        db.session.scalars(
            select(Item)
            .where(Item.neighbourhood_id == neighbourhood.id, Item.created_at > since)
            .order_by(Item.created_at.desc(), Item.id.desc())
        )
    )
    open_reports = (
        select(Report.item_id, func.count(Report.id).label("n"))
        .where(Report.resolved_at.is_(None), Report.item_id.is_not(None))
        .group_by(Report.item_id)
        .subquery()
    )
    reported = [
        (item, n)
        for item, n in db.session.execute(
            select(Item, open_reports.c.n)
            .join(open_reports, open_reports.c.item_id == Item.id)
            .where(Item.neighbourhood_id == neighbourhood.id)
            .order_by(open_reports.c.n.desc(), Item.id)
        )
    ]
    return Queue(since, new_items, reported, held_items(neighbourhood))


def open_report_counts(neighbourhood_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Item.neighbourhood_id, func.count(Report.id))
        .join(Item, Report.item_id == Item.id)
        .where(Report.resolved_at.is_(None), Item.neighbourhood_id.in_(neighbourhood_ids))
        .group_by(Item.neighbourhood_id)
    )
    return dict(rows.all())


def mark_reviewed(neighbourhood: Neighbourhood, actor: User) -> None:
    audit.record(actor, "queue.reviewed", neighbourhood=neighbourhood)
    db.session.commit()


# --- one item ---------------------------------------------------------------------------


def item_page(item: Item, actor: User, now: datetime) -> None:
    """The management page shows the author's name and e-mail: audit that view, once per
    manager and item in AUTHOR_VIEW_WINDOW, so the reloads of one moderation (every step
    redirects back here) do not fill the author's page with identical entries."""
    if item.owner_id is None:
        return
    seen = db.session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.actor_id == actor.id,
            AuditEntry.action == "author.viewed",
            AuditEntry.item_id == item.id,
            AuditEntry.subject_id == item.owner_id,
            AuditEntry.created_at > now - AUTHOR_VIEW_WINDOW,
        )
        .limit(1)
    )
    if seen is not None:
        return
    audit.record(
        actor,
        "author.viewed",
        subject=item.owner_id,
        item=item,
        neighbourhood=item.neighbourhood_id,
    )
    db.session.commit()


def reports_of(item: Item) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.item_id == item.id)
            .order_by(Report.resolved_at.is_not(None), Report.created_at.desc())
        )
    )


def revisions_of(item: Item) -> list[ItemRevision]:
    return list(
        db.session.scalars(
            select(ItemRevision)
            .where(ItemRevision.item_id == item.id)
            .order_by(ItemRevision.created_at.desc(), ItemRevision.id.desc())
        )
    )


def _notify_author(item: Item, template: str, **context: Any) -> None:
    owner = item.owner
    if owner is None or owner.deleted_at is not None:
        return
    queue_mail(
        f"moderation_{template}",
        owner.email,
        f"moderation_{template}",
        locale=owner.locale,
        user=owner,
        title=item.title,
        link=url_for(
            "content.show",
            kind_slug=KIND_SLUGS.get(item.kind, "activiteit"),
            item_id=item.id,
            _external=True,
        ),
        **context,
    )


def hide(item: Item, actor: User, reason: str) -> None:
    """Take an item offline; the relay closes with it (it checks `is_published`), and the
    attendees of an activity are told it is off."""
    _moderate(
        item,
        actor,
        reason,
        expected=(ItemStatus.PUBLISHED, ItemStatus.HELD),
        status=ItemStatus.HIDDEN,
        action="item.hidden",
        notice="hidden",
        also=lambda: notices.tell_called_off([item], local_now(), by=notices.MANAGER),
    )


def restore(item: Item, actor: User, reason: str) -> None:
    _moderate(
        item,
        actor,
        reason,
        expected=(ItemStatus.HIDDEN,),
        status=ItemStatus.PUBLISHED,
        action="item.restored",
        notice="restored",
    )


def approve(item: Item, actor: User) -> None:
    """A post held for review goes public: a manager decided, the author is told."""
    if item.status != ItemStatus.HELD:
        raise ModerationError("state")
    item.status = "published"
    item.moderation_reason = None
    audit.record(
        actor,
        "item.approved",
        subject=item.owner_id,
        item=item,
        neighbourhood=item.neighbourhood_id,
    )
    _notify_author(item, "approved")
    db.session.commit()


def _moderate(
    item: Item,
    actor: User,
    reason: str,
    *,
    expected: tuple[str, ...],
    status: str,
    action: str,
    notice: str,
    also: Callable[[], object] | None = None,
) -> None:
    """One moderation step: a reason is required, audited and mailed to the author, all
    in one transaction."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("reason")
    if item.status not in expected:
        raise ModerationError("state")
    item.status = status
    item.moderation_reason = reason if status == ItemStatus.HIDDEN else None
    audit.record(
        actor,
        action,
        subject=item.owner_id,
        item=item,
        neighbourhood=item.neighbourhood_id,
        detail=reason,
    )
    _notify_author(item, notice, reason=reason)
    if also is not None:
        also()
    db.session.commit()


def editable_fields(item: Item) -> tuple[str, ...]:
    return EDITABLE_COMMON + KIND_FIELDS.get(item.kind, ())


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def snapshot(item: Item) -> dict[str, Any]:
    return {name: _jsonable(getattr(item, name)) for name in editable_fields(item)}


def edit(item: Item, actor: User, data: dict[str, Any], note: str | None) -> bool:
    """Improve an item through the content service's own `apply`, keeping the previous
    values as a revision and notifying the author, in one transaction. Only the fields
    a manager may change are applied. False when nothing changed (nothing is kept)."""
    before = snapshot(item)
    with db.session.no_autoflush:
        apply(item, {k: v for k, v in data.items() if k in editable_fields(item)})
    after = snapshot(item)
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        db.session.rollback()
        return False
    note = (note or "").strip() or None
    db.session.add(
        ItemRevision(
            item_id=item.id, editor_id=actor.id, snapshot=before, note=note, created_at=utcnow()
        )
    )
    audit.record(
        actor,
        "item.edited",
        subject=item.owner_id,
        item=item,
        neighbourhood=item.neighbourhood_id,
        detail=", ".join(changed) + (f" ({note})" if note else ""),
    )
    _notify_author(item, "edited", note=note)
    db.session.commit()
    return True


# --- reports ----------------------------------------------------------------------------


def report_recipients(item: Item) -> tuple[str, list[User]]:
    """Who a report of the item reaches: the neighbourhood's managers, or when it has
    none, the admins, so a report always reaches a person. ('managers'|'admins', people)."""
    managers = list(
        db.session.scalars(
            select(User)
            .join(NeighbourhoodManager, NeighbourhoodManager.user_id == User.id)
            .where(
                NeighbourhoodManager.neighbourhood_id == item.neighbourhood_id,
                User.deleted_at.is_(None),
            )
        )
    )
    if managers:
        return "managers", managers
    return "admins", list(
        db.session.scalars(select(User).where(User.is_admin.is_(True), User.deleted_at.is_(None)))
    )


def report(item: Item, reason: str) -> str:
    """Anyone may report a published item. Nothing is hidden automatically; the managers
    of the neighbourhood (or, without managers, the admins) get a short note that the
    queue has something new. Returns who was told ('managers' or 'admins')."""
    entry = Report(item_id=item.id, reason=reason.strip(), created_at=utcnow())
    db.session.add(entry)
    reached, people = report_recipients(item)
    link = url_for("manage.item", slug=item.neighbourhood.slug, item_id=item.id, _external=True)
    for person in people:
        queue_mail(
            "report_notice",
            person.email,
            "report_notice",
            locale=person.locale,
            title=item.title,
            neighbourhood=item.neighbourhood.name,
            link=link,
            as_admin=reached == "admins",
        )
    db.session.commit()
    return reached


def resolve_reports(item: Item, actor: User, note: str) -> int:
    """Close every open report of the item with the manager's note."""
    note = note.strip()
    if not note:
        raise ModerationError("note")
    reports = list(
        db.session.scalars(
            select(Report).where(Report.item_id == item.id, Report.resolved_at.is_(None))
        )
    )
    if not reports:
        return 0
    now = utcnow()
    for entry in reports:
        entry.resolved_at = now
        entry.resolved_by_id = actor.id
        entry.resolution = note
    audit.record(
        actor,
        "reports.resolved",
        subject=item.owner_id,
        item=item,
        neighbourhood=item.neighbourhood_id,
        detail=f"{len(reports)}: {note}",
    )
    db.session.commit()
    return len(reports)
