"""Moderation depth (issue 17): suspensions of a person, and each neighbourhood's rules
for holding posts for review. Every hold and every suspension is a person's decision;
the rules only decide what waits for one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import not_personal, personal, utcnow
from wijk.models.neighbourhood import Neighbourhood
from wijk.models.user import User


def _suspension(purpose: str) -> dict:
    return personal(
        category="moderation decision",
        purpose=purpose,
        basis="legitimate_interest",
        retention="suspension",
        audience="the person; managers of the neighbourhood (admins for site-wide ones)",
    )


class Suspension(db.Model):
    """A person may not post in one neighbourhood (or anywhere, when `neighbourhood_id`
    is NULL: only an admin decides that) until it is lifted. Their items there are
    hidden with status "suspended" and come back when it is lifted."""

    __tablename__ = "suspension"
    __table_args__ = (Index("ix_suspension_active", "user_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(
        Text, info=_suspension("tell the person why they may not post, and account for it")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    answer: Mapped[str | None] = mapped_column(
        Text, info=_suspension("let the person answer the decision")
    )
    answered_at: Mapped[datetime | None]
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    lift_reason: Mapped[str | None] = mapped_column(
        Text, info=_suspension("tell the person why they may post again")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    neighbourhood: Mapped[Neighbourhood | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def site_wide(self) -> bool:
        return self.neighbourhood_id is None


class ModerationRules(db.Model):
    """What a neighbourhood's managers want to see before it is public: the first posts
    of each person there, and posts with a listed word. No row means no holds."""

    __tablename__ = "moderation_rules"

    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )
    hold_first_posts: Mapped[int] = mapped_column(default=0, server_default="0")
    held_words: Mapped[str] = mapped_column(
        Text, default="", server_default="",
        info=not_personal("words the managers listed, one a line"),
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def words(self) -> list[str]:
        return [w.strip().lower() for w in self.held_words.splitlines() if w.strip()]
