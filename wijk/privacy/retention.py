"""The retention schedule: one named rule per kind of data, applied by `flask purge`.

Each rule erases what has passed its period and nothing else; running it again finds
nothing more, so the purge is idempotent and safe to run from cron every hour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update

from wijk.extensions import db
from wijk.models import Item, OutboxMessage, RelayMessage, SignUp, User
from wijk.models.base import utcnow
from wijk.models.outbox import FAILED, SENT


@dataclass(frozen=True)
class RetentionRule:
    name: str
    period: timedelta
    description: str
    apply: Callable[[datetime, bool], int]  # (now, dry_run) -> rows affected


def _relay_body(now: datetime, dry_run: bool) -> int:
    """Relayed messages lose body, sender name and address 28 days after delivery (or
    after they were written, when delivery never happened)."""
    cutoff = now - RELAY_BODY.period
    delivered_before = select(OutboxMessage.id).where(
        OutboxMessage.status == SENT, OutboxMessage.sent_at <= cutoff
    )
    undeliverable = select(OutboxMessage.id).where(OutboxMessage.status == FAILED)
    due = and_(
        RelayMessage.erased_at.is_(None),
        or_(
            RelayMessage.outbox_message_id.in_(delivered_before),
            and_(
                RelayMessage.created_at <= cutoff,
                or_(
                    RelayMessage.outbox_message_id.is_(None),
                    RelayMessage.outbox_message_id.in_(undeliverable),
                ),
            ),
        ),
    )
    ids = list(db.session.scalars(select(RelayMessage.id).where(due)))
    if ids and not dry_run:
        db.session.execute(
            update(RelayMessage)
            .where(RelayMessage.id.in_(ids))
            .values(body=None, sender_name=None, sender_email=None, erased_at=now)
        )
    return len(ids)


def _outbox_body(now: datetime, dry_run: bool) -> int:
    """Delivered mail keeps only its kind, status and times after 7 days."""
    cutoff = now - OUTBOX_BODY.period
    due = and_(
        OutboxMessage.status == SENT,
        OutboxMessage.sent_at <= cutoff,
        OutboxMessage.to_addr != "",
    )
    ids = list(db.session.scalars(select(OutboxMessage.id).where(due)))
    if ids and not dry_run:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(to_addr="", reply_to=None, subject="", body_text=None, body_html=None,
                    headers={})
        )
    return len(ids)


def _unverified_account(now: datetime, dry_run: bool) -> int:
    """Sign-ups whose address was never confirmed are removed after 7 days, with
    everything that hangs off them (consents, by cascade)."""
    cutoff = now - UNVERIFIED_ACCOUNT.period
    ids = list(db.session.scalars(
        select(User.id).where(User.email_verified_at.is_(None), User.created_at <= cutoff)
    ))
    if ids and not dry_run:
        db.session.execute(delete(User).where(User.id.in_(ids)))
    return len(ids)


def _signup_list(now: datetime, dry_run: bool) -> int:
    """Sign-up lists go 7 days after their activity ended. Activity times are local
    wall-clock times, so the boundary is computed in local time."""
    cutoff = _local(now) - SIGNUP_LIST.period
    ended = select(Item.id).where(
        Item.kind == "activity", func.coalesce(Item.ends_at, Item.starts_at) <= cutoff
    )
    ids = list(db.session.scalars(select(SignUp.id).where(SignUp.activity_id.in_(ended))))
    if ids and not dry_run:
        db.session.execute(delete(SignUp).where(SignUp.id.in_(ids)))
    return len(ids)


def _local(moment_utc: datetime) -> datetime:
    """A naive UTC time as naive local wall-clock time."""
    from flask_babel import get_timezone

    return moment_utc.replace(tzinfo=UTC).astimezone(get_timezone()).replace(tzinfo=None)


UNVERIFIED_ACCOUNT = RetentionRule(
    "unverified_account", timedelta(days=7),
    _l("Accounts whose e-mail address was never confirmed are removed after 7 days."),
    _unverified_account,
)
RELAY_BODY = RetentionRule(
    "relay_body", timedelta(days=28),
    _l("Messages sent through the contact form are erased 28 days after delivery."),
    _relay_body,
)
OUTBOX_BODY = RetentionRule(
    "outbox_body", timedelta(days=7),
    _l("The content and address of a delivered e-mail are erased after 7 days."),
    _outbox_body,
)

SIGNUP_LIST = RetentionRule(
    "signup_list", timedelta(days=7),
    _l("Sign-up lists of an activity are erased 7 days after it ends."),
    _signup_list,
)

SCHEDULE: tuple[RetentionRule, ...] = (
    UNVERIFIED_ACCOUNT, RELAY_BODY, OUTBOX_BODY, SIGNUP_LIST,
)


def purge(now: datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Apply every rule in one transaction; with dry_run, only count."""
    now = now or utcnow()
    counts = {rule.name: rule.apply(now, dry_run) for rule in SCHEDULE}
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return counts
