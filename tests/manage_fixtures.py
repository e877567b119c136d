"""Helpers for the manager, admin, MFA and newsletter tests: managers with TOTP switched
on, logging in through both steps with a real pyotp code, and subscribers."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import AuditEntry, NeighbourhoodManager, NewsletterSubscription, User
from wijk.models.base import utcnow


def switch_on_totp(user: User) -> str:
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = utcnow()
    db.session.commit()
    return user.totp_secret


def code_for(user: User) -> str:
    """A code the site has not accepted yet: a code counts once, so a test that needs a
    second one in the same 30 seconds gets the next step's (the site allows one ahead)."""
    totp = pyotp.TOTP(user.totp_secret)
    while True:
        now = time.time()
        step = int(now // totp.interval)
        last = db.session.scalar(select(User.totp_last_step).where(User.id == user.id))
        if last is None or last < step:
            return totp.generate_otp(step)
        if last == step:
            return totp.generate_otp(step + 1)
        time.sleep(totp.interval - now % totp.interval + 0.05)


# The password conftest's make_user gives everyone. Not imported: tests/browser has a
# conftest module of its own, so `import conftest` can find the other one.
PASSWORD = "correct horse battery"


def login(client, user: User, password: str | None = None):
    """Both login steps; returns the response of the last one."""
    response = client.post(
        "/inloggen", data={"email": user.email, "password": password or PASSWORD}
    )
    if user.totp_enabled_at is None:
        return response
    assert response.headers["Location"].endswith("/inloggen/code")
    return client.post("/inloggen/code", data={"code": code_for(user)})


def audit_count(action: str, **where) -> int:
    query = select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return db.session.scalar(query)


@pytest.fixture
def make_manager(make_user):
    def make(*places, totp: bool = True, **user_fields) -> User:
        user = make_user(**user_fields)
        for place in places:
            db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=user.id))
        db.session.commit()
        if totp:
            switch_on_totp(user)
        return user

    return make


@pytest.fixture
def subscribe(app):
    def make(user: User, place, *, source: str = "account", withdrawn: bool = False):
        row = NewsletterSubscription(
            user_id=user.id,
            neighbourhood_id=place.id,
            source=source,
            subscribed_at=utcnow(),
            withdrawn_at=utcnow() if withdrawn else None,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return make
