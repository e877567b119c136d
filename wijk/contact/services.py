"""The relay: visitors write to a contact person whose address never leaves the server;
answers go back and forth through the conversation's aliases (wijk/contact/aliases.py)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from wijk.contact import aliases
from wijk.extensions import db
from wijk.mail import locale_of_address, queue_mail
from wijk.models import (
    ALIAS_LIFETIME,
    BlockedSender,
    Item,
    ItemKind,
    RelayMessage,
    RelaySide,
    Report,
    User,
)
from wijk.security.tokens import make_token, read_token

LINK_MAX_AGE = 90 * 24 * 3600


def relay_open(item: Item, today: date) -> bool:
    """The relay closes when the item is deleted, hidden or past its expiry date."""
    if not item.is_published or item.owner_id is None:  # no owner: kept anonymised
        return False
    return not (
        item.kind == ItemKind.OFFER and item.expires_on is not None and item.expires_on < today
    )


def recipient(item: Item) -> tuple[str, User | None]:
    """The contact e-mail of the item, or else its owner's account address. Only the
    server ever knows it."""
    if item.owner is None:  # an item kept anonymised after its author left: nobody
        return item.contact_email or "", None
    return item.contact_email or item.owner.email, item.owner


def address_hash(address: str) -> str:
    """Keyed hash of an address: lets us match a blocked sender without keeping it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


def mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def is_blocked(owner: User, sender: str) -> bool:
    return (
        db.session.scalar(
            select(BlockedSender.id).where(
                BlockedSender.user_id == owner.id, BlockedSender.sender_hash == address_hash(sender)
            )
        )
        is not None
    )


def links(relay: RelayMessage) -> dict[str, Any]:
    """Block and report links for the recipient of a relayed message, either side."""
    token = make_token("relay", {"r": relay.id})
    return {
        "block_link": url_for("contact.block", token=token, _external=True),
        "report_link": url_for("contact.report_message", token=token, _external=True),
    }


def send(
    item: Item, name: str, sender: str, body: str, now: datetime, *, locale: str | None = None
) -> RelayMessage | None:
    """Start a conversation and queue its first mail in one transaction. The contact
    sees the visitor's name and alias, never the address. A blocked sender gets the same
    answer from the view, and nothing is stored or delivered. `locale`: the language the
    visitor wrote in, for the answers relayed to them."""
    address, owner = recipient(item)
    if owner is None:
        raise ValueError("the relay of an item without owner is closed (see relay_open)")
    name = " ".join(name.split())
    sender = sender.strip()
    if is_blocked(owner, sender):
        return None
    contact_locale = owner.locale if address == owner.email else locale_of_address(address)
    conversation = aliases.start(
        item, name, sender, address, now, visitor_locale=locale, contact_locale=contact_locale
    )
    visitor = conversation.alias(RelaySide.VISITOR)
    assert visitor is not None  # start() made both
    relay = RelayMessage(
        item_id=item.id,
        recipient_id=owner.id,
        sender_name=name,
        sender_email=sender,
        body=body.strip(),
        created_at=now,
        conversation_id=conversation.id,
        sender_side=RelaySide.VISITOR,
    )
    db.session.add(relay)
    db.session.flush()
    relay.outbox_message = queue_mail(
        "relay",
        address,
        "relay",
        locale=contact_locale,
        from_addr=aliases.from_line(visitor),
        reply_to=aliases.address_of(visitor),
        headers=aliases.thread_headers(conversation),
        title=item.title,
        sender_name=name,
        body=relay.body,
        days=ALIAS_LIFETIME.days,
        **links(relay),
    )
    db.session.commit()
    return relay


def relay_from_token(token: str) -> RelayMessage | None:
    data = read_token("relay", token, LINK_MAX_AGE)
    return db.session.get(RelayMessage, data["r"]) if data and "r" in data else None


def sender_hint(relay: RelayMessage) -> str:
    """How the block page names the sender: a visitor by a masked address, the contact
    by their alias (even a masked address would show the contact's mail domain)."""
    if relay.sender_side == RelaySide.VISITOR:
        return mask(relay.sender_email or "?@?")
    alias = relay.conversation.alias(RelaySide.CONTACT) if relay.conversation else None
    return aliases.address_of(alias) if alias else "?"


def block(relay: RelayMessage) -> bool:
    """Block the sender of a relayed message for its recipient, from either side: the
    recipient's alias in the conversation stops relaying (later mail to it is dropped),
    and a contact with an account also blocks the visitor's address for new messages.
    False if nothing was left to block."""
    changed = False
    conversation = relay.conversation
    own = conversation.alias(relay.sender_side.other) if conversation else None
    if own is not None and not own.blocked:
        own.blocked = changed = True
    if relay.recipient_id is not None and relay.sender_email:
        digest = address_hash(relay.sender_email)
        exists = db.session.scalar(
            select(BlockedSender.id).where(
                BlockedSender.user_id == relay.recipient_id, BlockedSender.sender_hash == digest
            )
        )
        if not exists:
            db.session.add(
                BlockedSender(
                    user_id=relay.recipient_id,
                    sender_hash=digest,
                    sender_hint=mask(relay.sender_email),
                )
            )
            changed = True
    db.session.commit()
    return changed


def report_message(relay: RelayMessage, reason: str) -> Report:
    report = Report(relay_message_id=relay.id, item_id=relay.item_id, reason=reason.strip())
    db.session.add(report)
    db.session.commit()
    return report
