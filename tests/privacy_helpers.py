"""Helpers for the privacy tests: two-step login switched on for a logged-in person."""

from __future__ import annotations

from manage_fixtures import code_for, switch_on_totp

from wijk.models import User

__all__ = ["code_for", "login_as_admin", "switch_on_totp"]


def login_as_admin(auth, admin: User) -> None:
    """Log in with the password, then switch TOTP on: the admin pages need it, and the
    login itself is issue 4's business (tested there)."""
    auth.login(admin)
    switch_on_totp(admin)
