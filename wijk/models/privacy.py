"""Data-subject requests, sealed copies of deleted accounts and breaches (issue 5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, not_personal, personal, utcnow


class SealedAccount(Model):
    """An encrypted copy of a deleted account, readable only by the admin restore command,
    purged after 5 years."""

    __tablename__ = "sealed_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    former_user_id: Mapped[int] = mapped_column(index=True)
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)
    purge_after: Mapped[datetime]
    ciphertext: Mapped[bytes] = mapped_column(
        LargeBinary,
        info=personal(
            category="sealed copy of a deleted account",
            purpose="restore an account deleted by mistake; legal claims",
            basis="legitimate_interest",
            retention="sealed_copy",
            audience="nobody; an admin command can decrypt it on request",
        ),
    )


_REQUEST = personal(
    category="privacy request",
    purpose="answer the request",
    basis="legitimate_interest",
    retention="privacy_request",
    audience="admins",
)


class PrivacyRequest(Model):
    """A request that needs a person to answer: objection, restore, question. The law
    gives four weeks."""

    __tablename__ = "privacy_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254), info=_REQUEST)
    message: Mapped[str] = mapped_column(Text, info=_REQUEST)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
    # The language the request was made in: the answer is mailed in it.
    locale: Mapped[str | None] = mapped_column(String(5), info=not_personal("a language code"))

    user: Mapped[User | None] = relationship()


class Breach(Model):
    """A personal-data breach, with the 72-hour deadline to report it to the authority."""

    __tablename__ = "breach"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text)
    data_categories: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime | None]
    discovered_at: Mapped[datetime] = mapped_column(default=utcnow)
    authority_deadline: Mapped[datetime]
    reported_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
