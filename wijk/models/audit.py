"""The audit trail: every access to personal data and every moderation step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, personal, utcnow
from wijk.models.content import Item
from wijk.models.neighbourhood import Neighbourhood


class AuditEntry(Model):
    """Who did what to which person or item, and when. `subject_id` is the person whose
    data was touched, so their privacy page shows their entries in one query."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("item.id", ondelete="SET NULL"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[str | None] = mapped_column(
        Text,
        info=personal(
            category="audit trail",
            purpose="account for every access to personal data and every moderation step",
            basis="legitimate_interest",
            retention="audit",
            audience="the person concerned; admins",
        ),
    )

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
    item: Mapped[Item | None] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
