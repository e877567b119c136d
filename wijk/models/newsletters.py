"""Newsletters and their opt-ins. Each belongs to one place: a neighbourhood or (issue 14)
a municipality, never both, so the city newsletter shares the opt-in history, the export,
"my data" and the retention of the neighbourhood one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, not_personal, personal, utcnow
from wijk.models.neighbourhood import Municipality, Neighbourhood

# Exactly one of the two places is set.
ONE_PLACE = "(neighbourhood_id IS NULL) <> (municipality_id IS NULL)"


class NewsletterSubscription(Model):
    """One opt-in of one person for one neighbourhood's newsletter; a withdrawal closes it
    and a new opt-in is a new record, so the history stays visible. Without an account
    the row holds the e-mail address and counts only once `confirmed_at` is set (double
    opt-in); an account's opt-in needs no confirmation (the account's address is)."""

    __tablename__ = "newsletter_subscription"
    __table_args__ = (
        Index("ix_subscription_active", "neighbourhood_id", "withdrawn_at"),
        Index("ix_subscription_city_active", "municipality_id", "withdrawn_at"),
        CheckConstraint(ONE_PLACE, name="one_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(
        String(254),
        index=True,
        info=personal(
            category="contact details",
            purpose="send the newsletter to someone without an account",
            basis="consent",
            retention="email_subscription",
            audience="nobody; only the mail worker uses it",
        ),
    )
    locale: Mapped[str | None] = mapped_column(String(5), info=not_personal("a language code"))
    confirmed_at: Mapped[datetime | None]
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE")
    )
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE")
    )
    subscribed_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        info=personal(
            category="newsletter consent",
            purpose="prove the opt-in and send the newsletter",
            basis="consent",
            retention="account",
            audience=(
                "the person; managers and city staff of the neighbourhood (active subscribers only)"
            ),
        ),
    )
    source: Mapped[str] = mapped_column(String(20), info=not_personal("where the box was"))
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()

    @property
    def place(self) -> Neighbourhood | Municipality:
        """The neighbourhood or the city whose newsletter this opt-in is for."""
        place = self.neighbourhood or self.municipality
        if place is None:  # the ONE_PLACE check makes this impossible in the database
            raise ValueError(f"subscription {self.id} has no place")
        return place


class Newsletter(Model):
    """A newsletter of a neighbourhood (its managers) or of a city (its staff)."""

    __tablename__ = "newsletter"
    __table_args__ = (CheckConstraint(ONE_PLACE, name="one_place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, info=not_personal("a public newsletter"))
    body_text: Mapped[str] = mapped_column(Text, info=not_personal("a public newsletter"))
    # What the manager typed (markdown), for editing; body_html is rendered from it.
    body_source: Mapped[str | None] = mapped_column(Text, info=not_personal("a public newsletter"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    recipient_count: Mapped[int] = mapped_column(default=0)
    with_agenda: Mapped[bool] = mapped_column(default=False, server_default=false())

    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def place(self) -> Neighbourhood | Municipality:
        place = self.neighbourhood or self.municipality
        if place is None:  # the ONE_PLACE check makes this impossible in the database
            raise ValueError(f"newsletter {self.id} has no place")
        return place
