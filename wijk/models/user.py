from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import personal, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(
        String(254),
        unique=True,
        info=personal(
            category="account",
            purpose="log in, account mail",
            basis="contract",
            retention="account",
            audience="the person; managers and admins when they handle the person's content",
        ),
    )
    name: Mapped[str] = mapped_column(
        String(100),
        info=personal(
            category="account",
            purpose="address the person, show the author to managers",
            basis="contract",
            retention="account",
            audience="the person; managers of neighbourhoods where the person posts",
        ),
    )
    password_hash: Mapped[str] = mapped_column(
        String(255),
        info=personal(
            category="account",
            purpose="log in",
            basis="contract",
            retention="account",
            audience="nobody (a one-way hash)",
        ),
    )
    email_verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    locale: Mapped[str | None] = mapped_column(String(5))
    is_admin: Mapped[bool] = mapped_column(default=False)

    consents: Mapped[list[Consent]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Consent.accepted_at"
    )

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        """The session holds id and a fingerprint of the password hash, so changing the
        password logs out every other session."""
        return f"{self.id}.{self.password_hash[-12:]}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Consent(db.Model):
    """One acceptance of one version of a document (terms, privacy) or the age check."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        info=personal(
            category="consent",
            purpose="prove what the person agreed to and when",
            basis="legitimate_interest",
            retention="account",
            audience="the person; admins",
        ),
    )
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="consents")
