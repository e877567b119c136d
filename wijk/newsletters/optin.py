"""A newsletter without an account: double opt-in by e-mail.

The visitor leaves an address on the neighbourhood page; a NewsletterSubscription row
(user_id NULL) is written with the confirmation mail in one transaction, and counts only
once the link in that mail is used. The answer on the page is the same whether the
address was new, pending or subscribed already, so the form reveals nobody's choices."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select

from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import NewsletterSubscription
from wijk.newsletters.places import Place, of_place, place_ids
from wijk.security.tokens import make_token, read_token

CONFIRM_PURPOSE = "newsletter-confirm"
CONFIRM_WITHIN = timedelta(days=7)  # also the retention of an unconfirmed opt-in


def _open_rows(place: Place, email: str):
    return select(NewsletterSubscription).where(
        of_place(NewsletterSubscription, place),
        NewsletterSubscription.user_id.is_(None),
        NewsletterSubscription.email == email,
        NewsletterSubscription.withdrawn_at.is_(None),
    )


def request_subscription(place: Place, email: str, locale: str, now: datetime) -> bool:
    """Record a pending opt-in for a neighbourhood's or a city's newsletter and queue the
    confirmation mail; the caller need not commit. False (and no mail) when the address
    is subscribed already."""
    email = email.strip().lower()
    row = db.session.scalar(_open_rows(place, email))
    if row is not None and row.confirmed_at is not None:
        return False
    if row is None:
        row = NewsletterSubscription(
            **place_ids(place),
            email=email,
            locale=locale,
            source="email",
            subscribed_at=now,
        )
        db.session.add(row)
        db.session.flush()
    link = url_for(
        "newsletters.confirm_email",
        token=make_token(CONFIRM_PURPOSE, {"s": row.id}),
        _external=True,
    )
    queue_mail(
        "newsletter_confirm",
        email,
        "newsletter_confirm",
        locale=locale,
        neighbourhood=place,
        link=link,
        days=CONFIRM_WITHIN.days,
    )
    db.session.commit()
    return True


def pending(token: str) -> NewsletterSubscription | None:
    """The opt-in a confirmation link names, while the link is valid."""
    data = read_token(CONFIRM_PURPOSE, token, max_age=int(CONFIRM_WITHIN.total_seconds()))
    if not data or not isinstance(data.get("s"), int):
        return None
    row = db.session.get(NewsletterSubscription, data["s"])
    if row is None or row.user_id is not None or row.withdrawn_at is not None:
        return None
    return row


def confirm(row: NewsletterSubscription, now: datetime) -> None:
    """The second step of the double opt-in: from now on the address gets newsletters."""
    if row.confirmed_at is None:
        row.confirmed_at = now
        db.session.commit()
