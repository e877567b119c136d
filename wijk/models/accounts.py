from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.base import Model, not_personal, personal, utcnow


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def _account(purpose: str) -> dict:
    return personal(
        category="account",
        purpose=purpose,
        basis="contract",
        retention="account",
        audience="the person; admins",
    )


class User(UserMixin, Model):
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
    email_verified_at: Mapped[datetime | None] = mapped_column(
        info=_account("know the address is the person's own before they post")
    )
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=_account("remove unverified accounts after 7 days")
    )
    locale: Mapped[str | None] = mapped_column(
        String(5), info=_account("write to the person in their language")
    )
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    totp_secret: Mapped[str | None] = mapped_column(
        String(64), info=_account("second login step (TOTP)")
    )
    totp_enabled_at: Mapped[datetime | None]
    # The 30-second step of the last TOTP code accepted: a code counts once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # What sessions and remember cookies hold instead of the id: a random value, replaced
    # to end every session of the person at once (logout, new password, TOTP on, ...).
    session_token: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        default=new_session_token,
        info=not_personal(
            "a random key whose replacement ends every session; it is not "
            "derived from the person or the password"
        ),
    )
    # Set when the person deletes the account: it is logged out and unpublished at once,
    # and the purge erases the rest within 48 hours.
    deleted_at: Mapped[datetime | None]

    consents: Mapped[list[Consent]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Consent.accepted_at"
    )

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        """What the session and the remember cookie hold: the random session token, so
        neither shows the id or anything of the password hash."""
        if self.session_token is None:
            self.session_token = new_session_token()
        return self.session_token

    def end_sessions(self) -> None:
        """Every session and remember cookie of this person stops working at the next
        request, on every worker and node: they are checked against the database."""
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id}>"


def _consent(what: str) -> dict:
    return personal(
        category="consent",
        purpose=f"prove what the person agreed to and when: {what}",
        basis="legitimate_interest",
        retention="account",
        audience="the person; admins",
    )


class Consent(Model):
    """One acceptance of one version of a document (terms, privacy) or the age check."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(String(20), info=_consent("what was agreed to"))
    version: Mapped[str] = mapped_column(String(20), info=_consent("which version"))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow, info=_consent("when"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(info=_consent("when it ended"))

    user: Mapped[User] = relationship(back_populates="consents")


class RecoveryCode(Model):
    """A one-time TOTP recovery code, stored as a hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]
