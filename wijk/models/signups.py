"""Categories and sign-ups of activities (issue 6)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.base import Model, personal, utcnow
from wijk.models.content import Item
from wijk.models.series import ActivityOccurrence


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


class SignUp(Model):
    """A visitor's sign-up for an activity; no account needed. Erased 7 days after the
    activity ends."""

    __tablename__ = "signup"
    __table_args__ = (Index("ix_signup_activity", "activity_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    # The date of a series signed up for (places are per date); NULL for a single activity.
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity_occurrence.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), info=_signup("tell the organiser who comes"))
    email: Mapped[str] = mapped_column(
        String(254), info=_signup("confirm, cancel, and let the organiser reach the person")
    )
    status: Mapped[str] = mapped_column(String(12), default=SignUpStatus.CONFIRMED)
    # The language of the page the person signed up on: every mail about it uses it.
    locale: Mapped[str | None] = mapped_column(
        String(5), info=_signup("write to the person in their language")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    # Set when the reminder of the day before went out, so `flask reminders` sends it once.
    reminded_at: Mapped[datetime | None]

    activity: Mapped[Item] = relationship()
    occurrence: Mapped[ActivityOccurrence | None] = relationship()
