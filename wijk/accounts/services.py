"""Account rules: registration with recorded consent, verification, login, reset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from wijk.audit import record
from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import Consent, User
from wijk.models.base import utcnow
from wijk.newsletters.subscriptions import subscribe
from wijk.security.tokens import make_token, read_token

# Checked against when an e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not a real password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(
    name: str, email: str, password: str, *, locale: str | None, newsletters: Sequence[int] = ()
) -> User | None:
    """Create the account, record the consents with their versions, queue verification.

    The caller has checked that the terms were accepted and the age confirmed; all of
    it is written in one transaction, with one opt-in record per newsletter ticked.
    When the address has an account already, its owner gets a mail saying so and None
    is returned; the caller answers the same either way, so the form tells nobody who
    has an account."""
    email = normalise_email(email)
    password_hash = generate_password_hash(password)  # either way: the same time taken
    existing = find_by_email(email)
    if existing is not None:
        _queue_account_exists(existing)
        db.session.commit()
        return None
    config = current_app.config
    user = User(name=name.strip(), email=email, password_hash=password_hash, locale=locale)
    now = utcnow()
    user.consents = [
        Consent(document="terms", version=config["TERMS_VERSION"], accepted_at=now),
        Consent(document="privacy", version=config["PRIVACY_VERSION"], accepted_at=now),
        Consent(document="age", version=str(config["MINIMUM_AGE"]), accepted_at=now),
    ]
    db.session.add(user)
    db.session.flush()
    if newsletters:
        for neighbourhood_id in newsletters:
            subscribe(user, neighbourhood_id, "signup")
    queue_verification(user)
    db.session.commit()
    return user


def _queue_account_exists(user: User) -> None:
    if user.deleted_at is not None:  # erased within 48 hours; nobody to tell
        return
    queue_mail(
        "account_exists",
        user.email,
        "account_exists",
        locale=user.locale,
        user=user,
        login=url_for("accounts.login", _external=True),
        reset=url_for("accounts.forgot_password", _external=True),
    )


def queue_verification(user: User) -> None:
    token = make_token("verify", {"uid": user.id, "email": user.email})
    queue_mail(
        "verify",
        user.email,
        "verify",
        locale=user.locale,
        user=user,
        link=url_for("accounts.verify", token=token, _external=True),
        days=current_app.config["VERIFY_TOKEN_MAX_AGE"] // 86400,
    )


def verify(token: str) -> User | None:
    """Mark the address verified; None when the link is forged, stale or for an old address."""
    data = read_token("verify", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _reset_fingerprint(user: User) -> str:
    """Part of the current hash: once the password changes, old reset links stop working."""
    return user.password_hash[-16:]


def request_reset(email: str) -> None:
    """Queue a reset link if the address has an account. The caller answers the same
    either way, so the form does not tell who has an account."""
    user = find_by_email(email)
    if user is None or user.deleted_at is not None:  # deleted: erased within 48 hours
        return
    token = make_token("reset", {"uid": user.id, "fp": _reset_fingerprint(user)})
    queue_mail(
        "reset",
        user.email,
        "reset",
        locale=user.locale,
        user=user,
        link=url_for("accounts.reset_password", token=token, _external=True),
        hours=current_app.config["RESET_TOKEN_MAX_AGE"] // 3600,
    )
    db.session.commit()


def end_sessions(user: User) -> None:
    """Log the person out everywhere: every session and remember cookie stops working."""
    user.end_sessions()
    db.session.commit()


@dataclass(frozen=True)
class ResetTarget:
    user: User


def reset_target(token: str) -> ResetTarget | None:
    data = read_token("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or _reset_fingerprint(user) != data.get("fp"):
        return None
    return ResetTarget(user)


def set_password(user: User, password: str) -> None:
    """A new password ends every session and remember cookie of the person."""
    user.password_hash = generate_password_hash(password)
    user.end_sessions()
    # Following the link proves the address, too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.commit()


# --- changing the e-mail address --------------------------------------------------------

EMAIL_CHANGE = "email-change"


def request_email_change(user: User, new_email: str) -> None:
    """Queue a confirmation link to the new address; nothing changes until it is opened.
    The link names the old address too, so it stops working once the address changed.
    An address that already has an account gets a notice instead, and the person asking
    sees the same answer: the form tells nobody who has an account."""
    new = normalise_email(new_email)
    owner = find_by_email(new)
    if owner is not None:  # the same answer as a free address; its owner is told instead
        if owner.deleted_at is None:
            queue_mail("email_in_use", owner.email, "email_in_use", locale=owner.locale, user=owner)
        record(user, "account.email_change_requested", subject=user)
        db.session.commit()
        return
    token = make_token(EMAIL_CHANGE, {"uid": user.id, "old": user.email, "new": new})
    queue_mail(
        "email_change",
        new,
        "email_change",
        locale=user.locale,
        user=user,
        link=url_for("accounts.confirm_email_change", token=token, _external=True),
        hours=current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"] // 3600,
    )
    record(user, "account.email_change_requested", subject=user)
    db.session.commit()


def confirm_email_change(token: str, now: datetime) -> User | None:
    """Switch to the new address and tell the old one; None when the link is forged,
    stale or already used. Sessions stay: they hang on the password, not the address."""
    data = read_token(EMAIL_CHANGE, token, current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.deleted_at is not None or user.email != data.get("old"):
        return None
    if find_by_email(data["new"]) is not None:  # taken since the link was sent
        return None
    old = user.email
    user.email = data["new"]
    user.email_verified_at = now
    queue_mail(
        "email_changed",
        old,
        "email_changed",
        locale=user.locale,
        user=user,
        contact=current_app.config["CONTROLLER_CONTACT"],
    )
    record(user, "account.email_changed", subject=user)
    db.session.commit()
    return user
