"""Follows and digests (issue 13): a person, with an account or with only a confirmed
e-mail address, follows a neighbourhood, an organisation or a category and gets a daily
or weekly digest of what is new. One stamp per follower, frequency and period makes the
digest job idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, not_personal, personal, utcnow

FREQUENCIES = ("daily", "weekly")


class Follower(Model):
    """The person a digest goes to: an account (its address is read from the account at
    sending time) or an e-mail address without an account."""

    __tablename__ = "follower"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str | None] = mapped_column(
        String(254),
        unique=True,
        info=personal(
            category="contact details",
            purpose="send the digest the person asked for",
            basis="consent",
            retention="follow",
            audience="nobody; only the mail worker uses it",
        ),
    )
    locale: Mapped[str] = mapped_column(String(5), info=not_personal("a language code"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
    follows: Mapped[list[Follow]] = relationship(
        back_populates="follower", cascade="all, delete-orphan", passive_deletes=True
    )


class Follow(Model):
    """One thing followed, e.g. target 'neighbourhood:3', 'organisation:12' or
    'category:sport'. An e-mail follow counts once its confirmation link was used."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("follower_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(
        ForeignKey("follower.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(40))
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        info=personal(
            category="interests",
            purpose="prove the opt-in and build the digest",
            basis="consent",
            retention="follow",
            audience="the person",
        ),
    )
    confirmed_at: Mapped[datetime | None]

    follower: Mapped[Follower] = relationship(back_populates="follows")


class DigestStamp(Model):
    """This follower's digest of this frequency for this period is done (sent, or found
    empty); the primary key lets a second run, or a second node, do nothing."""

    __tablename__ = "digest_stamp"

    follower_id: Mapped[int] = mapped_column(
        ForeignKey("follower.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
    item_count: Mapped[int] = mapped_column(default=0)
