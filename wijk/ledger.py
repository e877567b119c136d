"""The erasure ledger: every deletion a person asked for is noted here, by id, in the
transaction of the deletion itself. `flask restore-backup` applies these again after
restoring a copy taken before them, so a restore never brings back a person who left
(wijk.backup.replay). Time-based erasures need no note: the purge runs after a restore."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from wijk.extensions import db
from wijk.models import ErasureRecord
from wijk.models.base import utcnow

ACCOUNT, ITEM, NEWSLETTER = "account", "item", "newsletter"


def note(kind: str, target_id: int, **detail: Any) -> None:
    """Add one record to the current transaction; the caller commits."""
    db.session.add(
        ErasureRecord(kind=kind, target_id=target_id, detail=detail, recorded_at=utcnow())
    )


def forget(kind: str, target_id: int) -> None:
    """Drop the records of a deletion that was undone (an account restored from its
    sealed copy), so a later restore of a backup does not delete it again."""
    db.session.execute(
        delete(ErasureRecord).where(
            ErasureRecord.kind == kind, ErasureRecord.target_id == target_id
        )
    )
