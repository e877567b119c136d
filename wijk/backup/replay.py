"""Applying the erasure ledger (wijk.ledger) to a restored database: each deletion the
person asked for after the backup was taken happens again, the way it happened then.
Every step is idempotent: what is gone already stays gone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update

from wijk import ledger
from wijk.extensions import db
from wijk.models import ErasureRecord, NewsletterSubscription, User
from wijk.privacy.erasers import delete_items
from wijk.privacy.erasure import KEEP, owned_items, release_items
from wijk.privacy.retention import DELETED_ACCOUNT


def _account(record: ErasureRecord, now: datetime) -> None:
    """Posts kept go without owner, the rest and the account go at once (the purge would
    take them within 48 hours anyway; the person left before this restore)."""
    user = db.session.get(User, record.target_id)
    if user is None:
        return
    fates = record.detail.get("fates", {})
    release_items([item for item in owned_items(user) if fates.get(str(item.id)) == KEEP], now)
    DELETED_ACCOUNT.erase([user.id], now)


def _item(record: ErasureRecord, now: datetime) -> None:
    delete_items([record.target_id])


def _newsletter(record: ErasureRecord, now: datetime) -> None:
    db.session.execute(
        update(NewsletterSubscription)
        .where(
            NewsletterSubscription.user_id == record.target_id,
            # A city newsletter's record names its municipality instead (issue 14).
            NewsletterSubscription.municipality_id == record.detail["municipality"]
            if "municipality" in record.detail
            else NewsletterSubscription.neighbourhood_id == record.detail.get("neighbourhood"),
            NewsletterSubscription.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=record.recorded_at)
        .execution_options(synchronize_session=False)
    )


APPLY: dict[str, Callable[[ErasureRecord, datetime], None]] = {
    ledger.ACCOUNT: _account,
    ledger.ITEM: _item,
    ledger.NEWSLETTER: _newsletter,
}


def apply(records: list[ErasureRecord], now: datetime) -> int:
    """Apply the records in the order they were made; the caller commits."""
    for record in sorted(records, key=lambda r: r.recorded_at):
        APPLY[record.kind](record, now)
    db.session.flush()
    return len(records)
