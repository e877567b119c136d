"""Categories and sign-ups of activities (issue 6)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import personal, utcnow
from wijk.models.content import Item

CATEGORIES = ("sport", "culture", "care", "children", "meeting", "learning", "nature", "food")


class ItemCategory(db.Model):
    __tablename__ = "item_category"
    __table_args__ = (Index("ix_item_category_category", "category", "item_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(20), primary_key=True)

    @classmethod
    def codes_by_item(cls, item_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """Category codes per item for a whole list, in one query, in CATEGORIES order."""
        ids = list(set(item_ids))
        found: dict[int, set[str]] = {item_id: set() for item_id in ids}
        if ids:
            rows = db.session.execute(
                select(cls.item_id, cls.category).where(cls.item_id.in_(ids))
            )
            for item_id, code in rows:
                found[item_id].add(code)
        return {
            item_id: tuple(code for code in CATEGORIES if code in codes)
            for item_id, codes in found.items()
        }


class SignUpStatus(StrEnum):
    """A confirmed sign-up has a place; a waiting one gets the first place that comes free."""

    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


def _signup(purpose: str) -> dict:
    return personal(
        category="activity sign-up",
        purpose=purpose,
        basis="consent",
        retention="signup",
        audience="the organiser and co-managers of the activity",
    )


class SignUp(db.Model):
    """A visitor's sign-up for an activity; no account needed. Erased 7 days after the
    activity ends."""

    __tablename__ = "signup"
    __table_args__ = (Index("ix_signup_activity", "activity_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), info=_signup("tell the organiser who comes"))
    email: Mapped[str] = mapped_column(
        String(254), info=_signup("confirm, cancel, and let the organiser reach the person")
    )
    status: Mapped[str] = mapped_column(String(12), default=SignUpStatus.CONFIRMED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    activity: Mapped[Item] = relationship()
