"""Access decorators for the manager and admin areas. A browser is redirected (to log in,
or to switch on two-step login) or shown a 403 page; a JSON client gets a 403 status
and nothing else. The rules themselves live in `permissions`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijk.security.permissions import has_mfa, is_admin, needs_mfa


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def _refuse(status: int = 403):
    if wants_json():
        return jsonify(error="forbidden"), status
    abort(status)


def _gate(allowed: Callable[[Any], bool]) -> Callable:
    """Logged in, allowed by the rule, and TOTP switched on: in that order."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                if wants_json():
                    return _refuse()
                return redirect(url_for("accounts.login", next=request.full_path))
            if not allowed(current_user):
                return _refuse()
            if not has_mfa(current_user):
                if wants_json():
                    return _refuse()
                flash(
                    _(
                        "Switch on two-step login first: managers and administrators need it "
                        "before they can open these pages."
                    ),
                    "info",
                )
                return redirect(url_for("accounts.mfa_setup", next=request.full_path))
            return view(*args, **kwargs)

        return wrapped

    return decorator


manager_required = _gate(needs_mfa)
"""A manager of at least one neighbourhood, or an admin, with TOTP on. Which
neighbourhood may be touched is checked per route with `can_moderate`."""

admin_required = _gate(is_admin)
"""An admin with TOTP on."""

mfa_required = _gate(lambda user: True)
"""Any logged-in person, once TOTP is on."""
