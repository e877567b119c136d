"""The audit trail: every view or export of personal data by a manager or admin, every
moderation step and every role change. Entries are keyed on the person concerned
(`subject_id`), so that person's privacy page lists them with one query:
``select(AuditEntry).where(AuditEntry.subject_id == user.id)``.

`record` adds to the caller's transaction and does not commit: the trace is written
together with the change it describes, or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from wijk.extensions import db
from wijk.models import AuditEntry
from wijk.models.base import utcnow

# What an entry says, in the words a person reads on their privacy page.
ACTIONS: dict[str, Any] = {
    "author.viewed": _l("Viewed the author's name and e-mail address of an item"),
    "item.hidden": _l("Hid an item"),
    "item.restored": _l("Made a hidden item public again"),
    "item.edited": _l("Edited an item"),
    "reports.resolved": _l("Handled the reports about an item"),
    "item.held": _l("Held an item for review by a neighbourhood manager"),
    "item.approved": _l("Approved an item that was held for review"),
    "person.suspended": _l("Suspended you: you cannot post there until it is lifted"),
    "suspension.lifted": _l("Lifted your suspension"),
    "suspension.answered": _l("Answered a suspension"),
    "suspensions.viewed": _l("Viewed the list of suspended people"),
    "moderation_rules.changed": _l("Changed which posts are held for review"),
    "queue.reviewed": _l("Marked the moderation queue as reviewed"),
    "subscribers.viewed": _l("Viewed the list of newsletter subscribers"),
    "subscribers.exported": _l("Exported the newsletter subscribers"),
    "newsletter.sent": _l("Sent a newsletter"),
    "manager.appointed": _l("Appointed a neighbourhood manager"),
    "manager.removed": _l("Removed a neighbourhood manager"),
    "city_staff.appointed": _l("Appointed you to the staff of a municipality"),
    "city_staff.removed": _l("Removed you from the staff of a municipality"),
    "municipality.updated": _l("Changed a municipality"),
    "admin.granted": _l("Made someone an administrator"),
    "user.searched": _l("Found an account in a search"),
    "user.viewed": _l("Viewed an account"),
    "outbox.viewed": _l("Viewed e-mail that could not be delivered"),
    "outbox.retried": _l("Put an undelivered e-mail back in the queue"),
    "neighbourhood.created": _l("Created a neighbourhood"),
    "neighbourhood.updated": _l("Changed a neighbourhood"),
    "neighbourhood.deleted": _l("Deleted a neighbourhood"),
    "neighbourhood_request.made": _l("Asked to start a neighbourhood"),
    "neighbourhood_request.viewed": _l("Read your request to start a neighbourhood"),
    "neighbourhood_request.approved": _l("Approved your request to start a neighbourhood"),
    "neighbourhood_request.declined": _l("Declined your request to start a neighbourhood"),
    "access.denied": _l("Was refused: the page belongs to another neighbourhood"),
    "mfa.enabled": _l("Switched on two-step login"),
    "mfa.disabled": _l("Switched off two-step login"),
    "mfa.recovery_renewed": _l("Made new recovery codes"),
    "privacy_request.viewed": _l("Read your privacy request"),
    "privacy_request.answered": _l("Answered your privacy request"),
    "account.restored": _l("Restored your deleted account"),
    "account.email_change_requested": _l("Asked to change the account's e-mail address"),
    "account.email_changed": _l("Changed the account's e-mail address"),
}


def _id(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.id


def record(
    actor: Any,
    action: str,
    subject: Any = None,
    item: Any = None,
    neighbourhood: Any = None,
    detail: str | None = None,
) -> AuditEntry:
    """Add one entry to the current transaction. `actor`, `subject`, `item` and
    `neighbourhood` may be model objects or ids; `subject` is the person concerned."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        actor_id=_id(actor if getattr(actor, "is_authenticated", True) else None),
        action=action,
        subject_id=_id(subject),
        item_id=_id(item),
        neighbourhood_id=_id(neighbourhood),
        detail=detail,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


def record_each(
    actor: Any,
    action: str,
    subject_ids: Iterable[int],
    *,
    neighbourhood: Any = None,
    detail: str | None = None,
) -> int:
    """One entry per person, bulk-inserted (an export of thousands stays one statement
    batch). Returns the number of entries."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    now = utcnow()
    rows = [
        {
            "actor_id": _id(actor),
            "action": action,
            "subject_id": subject_id,
            "item_id": None,
            "neighbourhood_id": _id(neighbourhood),
            "detail": detail,
            "created_at": now,
        }
        for subject_id in subject_ids
    ]
    if rows:
        db.session.execute(insert(AuditEntry), rows)
    return len(rows)


def label(action: str) -> str:
    """The readable text of an action; unknown (older) actions show their code."""
    text = ACTIONS.get(action)
    return str(text) if text is not None else action
