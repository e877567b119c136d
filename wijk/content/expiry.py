"""Offers and requests expire: listings and search leave them out after `expires_on`.
Three days before, the owner gets one reminder with a signed link that extends the offer
(run `flask reminders` from cron, hourly; it is idempotent through reminder_sent_at)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import ItemStatus, Offer, User
from wijk.models.base import utcnow
from wijk.security.tokens import make_token, read_token

REMIND_DAYS = 3
LINK_MAX_AGE = 30 * 24 * 3600  # the link also rescues an offer that expired last week
MAX_AHEAD_DAYS = 366  # the offer form allows at most a year ahead


def due_for_reminder(today: date):
    """Published offers that expire within REMIND_DAYS and were not reminded yet."""
    return (
        select(Offer)
        .join(User, User.id == Offer.owner_id)
        .where(
            Offer.status == ItemStatus.PUBLISHED,
            Offer.expires_on >= today,
            Offer.expires_on <= today + timedelta(days=REMIND_DAYS),
            Offer.reminder_sent_at.is_(None),
            User.deleted_at.is_(None),
        )
        .order_by(Offer.id)
    )


def send_reminders(today: date, *, batch: int = 200) -> int:
    """Queue one reminder per due offer; each batch commits its mails together with
    reminder_sent_at, so a crash or a second run never mails twice. Two runs at once on
    PostgreSQL skip each other's rows."""
    sent = 0
    while True:
        offers = list(
            db.session.scalars(
                due_for_reminder(today).limit(batch).with_for_update(skip_locked=True, of=Offer)
            )
        )
        if not offers:
            return sent
        for offer in offers:
            owner = offer.owner
            queue_mail(
                "offer_expiry",
                owner.email,
                "offer_expiry",
                locale=owner.locale,
                name=owner.name,
                title=offer.title,
                expires_on=offer.expires_on,
                days=current_app.config["OFFER_DEFAULT_DAYS"],
                extend_link=url_for(
                    "discover.extend_offer", token=extend_token(offer), _external=True
                ),
            )
            offer.reminder_sent_at = utcnow()
        db.session.commit()
        sent += len(offers)


def extend_token(offer: Offer) -> str:
    """Bound to the current expiry date, so the link extends once and then stops working."""
    if offer.expires_on is None:
        raise ValueError(f"offer {offer.id} has no expiry date to extend")
    return make_token("extend", {"o": offer.id, "until": offer.expires_on.isoformat()})


def offer_from_token(token: str) -> Offer | None:
    data = read_token("extend", token, LINK_MAX_AGE)
    if not data:
        return None
    offer = db.session.get(Offer, data.get("o"))
    if (
        offer is None
        or offer.expires_on is None
        or offer.expires_on.isoformat() != data.get("until")
    ):
        return None
    return offer


def new_expiry(offer: Offer, today: date) -> date:
    days = current_app.config["OFFER_DEFAULT_DAYS"]
    return min(
        max(offer.expires_on or today, today) + timedelta(days=days),
        today + timedelta(days=MAX_AHEAD_DAYS),
    )


def extend(offer: Offer, today: date) -> date:
    """Extend by OFFER_DEFAULT_DAYS (60) from the current expiry date, or from today when
    it already passed; the next expiry gets a reminder of its own."""
    offer.expires_on = new_expiry(offer, today)
    offer.reminder_sent_at = None
    db.session.commit()
    return offer.expires_on
