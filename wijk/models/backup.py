"""The erasure ledger: deletions a restored backup must apply again (issue 15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from wijk.models.base import Model, utcnow


class ErasureRecord(Model):
    """One deletion, by id only: an account ("account", with the fate chosen for each
    post), a post ("item") or a withdrawn newsletter opt-in ("newsletter"). It names
    nobody; the row it points at is gone or about to go. Kept as long as the backups."""

    __tablename__ = "erasure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
