"""Moderation: edits by others kept as revisions, reports of abuse, suspensions of a
person, and each neighbourhood's rules for holding posts for review. Every hold and every
suspension is a person's decision; the rules only decide what waits for one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, not_personal, personal, utcnow
from wijk.models.content import Item
from wijk.models.neighbourhood import Neighbourhood
from wijk.models.relay import RelayMessage


class ItemRevision(Model):
    """The state of an item before someone other than its author changed it."""

    __tablename__ = "item_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[dict] = mapped_column(
        JSON,
        info=personal(
            category="content history",
            purpose="show what a manager changed and allow undoing it",
            basis="legitimate_interest",
            retention="content_contact",
            audience="the author, co-managers and managers and city staff of the neighbourhood",
        ),
    )
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item] = relationship()
    editor: Mapped[User | None] = relationship()


class Report(Model):
    """A report of abuse: of an item by anyone, or of a relayed message by its recipient.
    Managers of the item's neighbourhood decide; nothing is hidden automatically."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("item.id", ondelete="CASCADE"), index=True
    )
    relay_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("relay_message.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(
        Text,
        info=personal(
            category="report",
            purpose="let managers judge the report",
            basis="legitimate_interest",
            retention="report",
            audience="managers and city staff of the neighbourhood; admins",
        ),
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    resolution: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item | None] = relationship()
    relay_message: Mapped[RelayMessage | None] = relationship()


def _suspension(purpose: str) -> dict:
    return personal(
        category="moderation decision",
        purpose=purpose,
        basis="legitimate_interest",
        retention="suspension",
        audience=(
            "the person; managers and city staff of the neighbourhood (admins for site-wide ones)"
        ),
    )


class Suspension(Model):
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


class ModerationRules(Model):
    """What a neighbourhood's managers want to see before it is public: the first posts
    of each person there, and posts with a listed word. No row means no holds."""

    __tablename__ = "moderation_rules"

    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )
    hold_first_posts: Mapped[int] = mapped_column(default=0, server_default="0")
    held_words: Mapped[str] = mapped_column(
        Text,
        default="",
        server_default="",
        info=not_personal("words the managers listed, one a line"),
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def words(self) -> list[str]:
        return [w.strip().lower() for w in self.held_words.splitlines() if w.strip()]
