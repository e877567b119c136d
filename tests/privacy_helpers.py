"""Helpers for the privacy tests: two-step login switched on for a logged-in person."""

from __future__ import annotations

import pyotp

from wijk.extensions import db
from wijk.models import User
from wijk.models.base import utcnow


def switch_on_totp(user: User) -> str:
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    db.session.commit()
    return user.totp_secret


def code_for(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).now()


def login_as_admin(auth, admin: User) -> None:
    """Log in with the password, then switch TOTP on: the admin pages need it, and the
    login itself is issue 4's business (tested there)."""
    auth.login(admin)
    switch_on_totp(admin)
