"""Neighbourhood managers, newsletters, revisions and the audit trail (issue 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import not_personal, personal, utcnow
from wijk.models.content import Item
from wijk.models.neighbourhood import Neighbourhood
from wijk.models.user import User


class NeighbourhoodManager(db.Model):
    """A person who manages one neighbourhood; a person may manage several."""

    __tablename__ = "neighbourhood_manager"

    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    neighbourhood: Mapped[Neighbourhood] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(db.Model):
    """A one-time TOTP recovery code, stored as a hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]


class NewsletterSubscription(db.Model):
    """One opt-in of one person for one neighbourhood's newsletter; a withdrawal closes it
    and a new opt-in is a new record, so the history stays visible."""

    __tablename__ = "newsletter_subscription"
    __table_args__ = (Index("ix_subscription_active", "neighbourhood_id", "withdrawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE")
    )
    subscribed_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        info=personal(
            category="newsletter consent",
            purpose="prove the opt-in and send the newsletter",
            basis="consent",
            retention="account",
            audience="the person; managers of the neighbourhood (active subscribers only)",
        ),
    )
    source: Mapped[str] = mapped_column(String(20), info=not_personal("where the box was"))
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    neighbourhood: Mapped[Neighbourhood] = relationship()


class Newsletter(db.Model):
    __tablename__ = "newsletter"

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, info=not_personal("a public newsletter"))
    body_text: Mapped[str] = mapped_column(Text, info=not_personal("a public newsletter"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    recipient_count: Mapped[int] = mapped_column(default=0)

    neighbourhood: Mapped[Neighbourhood] = relationship()
    author: Mapped[User | None] = relationship()


class ItemRevision(db.Model):
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


class AuditEntry(db.Model):
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

