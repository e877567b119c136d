"""Conversations through the relay: each side gets an alias r-<token>@RELAY_DOMAIN, and
relayed mail names only aliases, so neither side ever learns the other's address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import ALIAS_LIFETIME, Item, RelayAlias, RelayConversation, RelayMessage, RelaySide

PREFIX = "r-"
# Our own loop header: mail carrying it came from the relay and never goes round again.
LOOP_HEADER = "X-Wijk-Relay"
DAY = timedelta(days=1)


def relay_domain() -> str:
    return str(current_app.config["RELAY_DOMAIN"]).strip().lower()


def address_of(alias: RelayAlias) -> str:
    return f"{PREFIX}{alias.token}@{relay_domain()}"


def from_line(alias: RelayAlias) -> str:
    """The From of mail written by this alias's side: its alias and a name, 'via Wijk'."""
    site = current_app.config["SITE_NAME"]
    # Unencoded: the message builder encodes a non-ASCII name once (formataddr would
    # encode it here already, and the name would arrive as =?utf-8?...?= text).
    name = f"{alias.display_name} via {site}".replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}" <{address_of(alias)}>'


def start(
    item: Item,
    visitor_name: str,
    visitor_address: str,
    contact_address: str,
    now: datetime,
    *,
    visitor_locale: str | None = None,
    contact_locale: str | None = None,
) -> RelayConversation:
    """A conversation for a visitor's first message; the caller commits. Each alias keeps
    its side's language, so relayed answers reach each person in their own."""
    return open_conversation(
        item.id,
        (visitor_address, visitor_name, visitor_locale),
        (contact_address, item.title[:150], contact_locale),
        now,
    )


Side = tuple[str, str, str | None]  # address, name shown, language


def open_conversation(
    item_id: int | None, visitor: Side, contact: Side, now: datetime
) -> RelayConversation:
    """A conversation with an alias per side (also one about no item: a help question);
    the caller commits."""
    conversation = RelayConversation(item_id=item_id, created_at=now, last_message_at=now)
    expires = now + ALIAS_LIFETIME
    for side, (address, name, locale) in (
        (RelaySide.VISITOR, visitor),
        (RelaySide.CONTACT, contact),
    ):
        conversation.aliases.append(
            RelayAlias(
                side=side,
                token=secrets.token_hex(16),
                address=address,
                display_name=name,
                expires_at=expires,
                blocked=False,
                locale=locale,
            )
        )
    db.session.add(conversation)
    db.session.flush()
    return conversation


def touch(conversation: RelayConversation, now: datetime) -> None:
    """A message went through: both aliases live another ALIAS_LIFETIME from now."""
    conversation.last_message_at = now
    for alias in conversation.aliases:
        alias.expires_at = now + ALIAS_LIFETIME


def find(address: str, now: datetime) -> RelayAlias | None:
    """The live alias an address names, or None (not ours, unknown or expired)."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != relay_domain() or not local.lower().startswith(PREFIX):
        return None
    token = local[len(PREFIX) :].lower()
    return db.session.scalar(
        select(RelayAlias).where(RelayAlias.token == token, RelayAlias.expires_at > now)
    )


def over_limit(alias: RelayAlias, now: datetime) -> bool:
    """Whether the side writing to this alias used up its messages for the last day."""
    sent = db.session.scalar(
        select(func.count(RelayMessage.id)).where(
            RelayMessage.conversation_id == alias.conversation_id,
            RelayMessage.sender_side == alias.side.other,
            RelayMessage.created_at > now - DAY,
        )
    )
    return (sent or 0) >= int(current_app.config["RELAY_DAILY_LIMIT"])


def thread_headers(conversation: RelayConversation) -> dict[str, str]:
    """Headers that thread a conversation in both mailboxes without any sender's own
    Message-ID (which names their mail host), and mark the mail as ours against loops."""
    key = current_app.config["SECRET_KEY"].encode()
    ref = hmac.new(key, f"relay:{conversation.id}".encode(), hashlib.sha256).hexdigest()[:32]
    reference = f"<{ref}@{relay_domain()}>"
    return {"References": reference, "In-Reply-To": reference, LOOP_HEADER: ref}
