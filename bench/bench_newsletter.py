"""Queueing a newsletter to 10,000 subscribers of one neighbourhood (used by mail.py)."""

from __future__ import annotations

import time

from flask import g
from sqlalchemy import delete, func, insert, select

from wijk.extensions import db
from wijk.models import Neighbourhood, Newsletter, NewsletterSubscription, OutboxMessage, User
from wijk.models.base import utcnow
from wijk.newsletters import services as newsletters

N = 10_000


def queue_10k(app) -> str:
    """10,000 verified residents subscribe to the busiest neighbourhood; one newsletter is
    sent; the time is that of queueing every personal message in the outbox."""
    place = db.session.scalar(select(Neighbourhood).order_by(Neighbourhood.id))
    manager = db.session.scalar(select(User).where(User.is_admin.is_(True)))
    users = list(
        db.session.scalars(
            select(User.id)
            .where(User.email_verified_at.isnot(None), User.deleted_at.is_(None))
            .order_by(User.id)
            .limit(N)
        )
    )
    now = utcnow()
    db.session.execute(
        delete(NewsletterSubscription).where(NewsletterSubscription.neighbourhood_id == place.id)
    )
    db.session.execute(
        insert(NewsletterSubscription),
        [
            {
                "user_id": uid,
                "neighbourhood_id": place.id,
                "source": "account",
                "subscribed_at": now,
            }
            for uid in users
        ],
    )
    letter = Newsletter(
        neighbourhood_id=place.id,
        author_id=manager.id,
        subject="Nieuws uit de wijk",
        body_html="<p>Beste buren,</p><p>Zaterdag is er soep in het buurthuis.</p>",
        body_text="Beste buren,\n\nZaterdag is er soep in het buurthuis.",
    )
    db.session.add(letter)
    db.session.commit()
    with app.test_request_context("/"):
        g._login_user = manager
        started = time.perf_counter()
        count = newsletters.send(letter, manager)
        seconds = time.perf_counter() - started
    queued = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "newsletter")
    )
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.kind == "newsletter"))
    db.session.commit()
    return (
        f"newsletter queueing: {count} messages ({queued} rows) in {seconds:.2f} s "
        f"({len(users)} subscribers)"
    )
