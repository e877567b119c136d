"""Moderation: edits by others kept as revisions, and reports of abuse."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, personal, utcnow
from wijk.models.content import Item
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
            audience="the author, co-managers and managers of the neighbourhood",
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
            audience="managers of the neighbourhood; admins",
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
