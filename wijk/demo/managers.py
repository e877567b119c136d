"""The demo's neighbourhood managers, and how a newcomer gets past their two-step login.

A manager's pages need two-step login, so the demo switches it on for its managers with a
fresh secret, and `flask demo-code EMAIL` prints the code an authenticator app would
show. It answers only for an account that the demo content lists and that still has the
printed demo password: there the code guards nothing the printed password does not
already open. Any other account, and so every real one, is refused."""

from __future__ import annotations

import time
from datetime import datetime

import pyotp
from sqlalchemy import select
from werkzeug.security import check_password_hash

from wijk.demo.content import DemoContent
from wijk.demo.seed import DEMO_PASSWORD
from wijk.extensions import db
from wijk.models import Neighbourhood, NeighbourhoodManager, User
from wijk.security import totp


class DemoCodeRefused(Exception):
    """`flask demo-code` will not give a code for this account; the message says why."""


def ensure_managers(content: DemoContent, now: datetime) -> int:
    """Appoint the demo managers in their neighbourhoods and switch two-step login on for
    them where it is off. Returns how many appointments were added. The caller commits."""
    added = 0
    for account in content.accounts:
        if not account.manages:
            continue
        user = db.session.scalar(select(User).where(User.email == account.email))
        if user is None:
            continue
        places = db.session.scalars(
            select(Neighbourhood).where(Neighbourhood.slug.in_(account.manages))
        ).all()
        managed = set(
            db.session.scalars(
                select(NeighbourhoodManager.neighbourhood_id).where(
                    NeighbourhoodManager.user_id == user.id
                )
            )
        )
        for place in places:
            if place.id not in managed:
                db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=user.id))
                added += 1
        if user.totp_enabled_at is None:
            user.totp_secret = totp.new_secret()
            user.totp_enabled_at = now
    db.session.flush()
    return added


def demo_code(content: DemoContent, email: str, now: float | None = None) -> str:
    """The code the account's authenticator app would show now, or the next one when the
    site already took this one (a code counts once; the site accepts one step ahead)."""
    address = email.strip().lower()
    if address not in {account.email for account in content.accounts}:
        raise DemoCodeRefused(
            f"{email} is not one of the demo accounts: demo-code only answers for the "
            "accounts `flask demo` printed."
        )
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None:
        raise DemoCodeRefused(f"{email} has no account in this database; run `flask demo` first.")
    if not check_password_hash(user.password_hash, DEMO_PASSWORD):
        raise DemoCodeRefused(
            f"{email} no longer has the demo password, so it is not a demo account any more: "
            "use its authenticator app."
        )
    if not user.totp_secret:
        raise DemoCodeRefused(f"{email} has not started two-step login yet.")
    generator = pyotp.TOTP(user.totp_secret)
    current = int((time.time() if now is None else now) // generator.interval)
    step = max(current, (user.totp_last_step or 0) + 1)
    if step > current + 1:
        raise DemoCodeRefused("The last two codes were just used; ask again in 30 seconds.")
    return generator.generate_otp(step)
