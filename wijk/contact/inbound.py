"""Mail that arrives at a relay alias: checked at RCPT time, then relayed to the other side
through the outbox with nothing of the sender's own headers, so no address travels.

Only the text is relayed. Headers are never copied (From, Sender, Reply-To, Return-Path,
Received, DKIM-Signature, ARC-*, List-*, Message-ID: all dropped; the relayed mail gets our
own Message-ID and a per-conversation References). Attachments are dropped too, see
docs/deploy.md for why."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser

from sqlalchemy import func, select

from wijk.contact import aliases
from wijk.contact.services import links
from wijk.extensions import db
from wijk.mail import locale_of_address, queue_mail
from wijk.models import (
    ALIAS_LIFETIME,
    HelpRequest,
    RelayAlias,
    RelayConversation,
    RelayMessage,
    RelaySide,
    User,
)

BODY_MAX = 20_000
SUBJECT_MAX = 200
NOT_OURS = "550 5.7.1 Relaying denied: not a relay address"
UNKNOWN = "550 5.1.1 No such relay address (unknown or expired)"
TOO_MANY = "450 4.7.1 Too many messages through this address today, try again later"
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_SENDER_HEADERS = ("From", "Sender", "Reply-To", "Return-Path")


def check_recipient(address: str, now: datetime) -> str | None:
    """None when mail to `address` may be accepted, else the SMTP reply. A blocked alias
    is accepted (and its mail dropped), so the blocked side learns nothing."""
    _local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != aliases.relay_domain():
        return NOT_OURS
    alias = aliases.find(address, now)
    if alias is None:
        return UNKNOWN
    if aliases.over_limit(alias, now):
        return TOO_MANY
    return None


def is_automatic(mail_from: str, message: EmailMessage) -> bool:
    """Auto-replies, bounces and loops: never relayed, so two autoresponders (or a
    bounce of a bounce) cannot mail each other through us."""
    if mail_from.strip() in ("", "<>"):
        return True
    if message.get("Auto-Submitted", "no").strip().lower() != "no":
        return True
    if message.get("Precedence", "").strip().lower() in _AUTOMATIC_PRECEDENCE:
        return True
    if any(
        message.get(name) is not None
        for name in (aliases.LOOP_HEADER, "X-Autoreply", "X-Autorespond")
    ):
        return True
    if aliases.relay_domain() in message.get("X-Loop", "").lower():
        return True
    return message.get_content_type() == "multipart/report"  # delivery status notices


class _Text(HTMLParser):
    """The text of an HTML-only mail; no markup, link or image of it is relayed."""

    _BREAKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("style", "script", "head"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        return ""
    if part.get_content_type() == "text/html":
        parser = _Text()
        parser.feed(content)
        content = "".join(parser.parts)
    content = re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()
    return content[:BODY_MAX]


def attachment_count(message: EmailMessage) -> int:
    return sum(1 for _ in message.iter_attachments()) if message.is_multipart() else 0


def _sender_addresses(mail_from: str, message: EmailMessage, alias: RelayAlias) -> set[str]:
    """Every address by which the mail names its sender: they are replaced in the text."""
    found = {alias.address, mail_from.strip("<>")}
    for name in _SENDER_HEADERS:
        found.update(address for _n, address in getaddresses(message.get_all(name, [])))
    return {address.lower() for address in found if "@" in address}


def scrub(text: str, addresses: set[str], replacement: str) -> str:
    for address in sorted(addresses, key=len, reverse=True):
        text = re.sub(re.escape(address), replacement, text, flags=re.IGNORECASE)
    return text


def _help_request(conversation: RelayConversation) -> HelpRequest | None:
    return db.session.scalar(
        select(HelpRequest).where(HelpRequest.conversation_id == conversation.id)
    )


def help_title(conversation: RelayConversation) -> str | None:
    """What an answer to a help question is about: the start of the question."""
    asked = _help_request(conversation)
    if asked is None:
        return None
    words = " ".join(asked.question.split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"


def _answered_by_admin(
    conversation: RelayConversation, desk: RelayAlias, senders: set[str]
) -> None:
    """A help question goes to every admin; whichever admin answers becomes the address
    behind the help desk's alias, so the visitor's next mail reaches them. Only an admin's
    account address can take that place."""
    others = senders - {desk.address.lower()}
    if not others or _help_request(conversation) is None:
        return
    admin = db.session.scalar(
        select(User).where(
            User.is_admin.is_(True),
            User.deleted_at.is_(None),
            func.lower(User.email).in_(others),
        )
    )
    if admin is not None:
        desk.address = admin.email
        desk.locale = admin.locale


def relay(mail_from: str, raw: bytes, rcpt_tos: list[str], now: datetime) -> int:
    """Relay one received mail to the side behind each alias it was sent to; returns how
    many were queued (0 for automatic mail, blocked or meanwhile expired aliases). Runs
    inside a request context for the links; commits."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    if is_automatic(mail_from, message):
        return 0
    queued = 0
    for rcpt in rcpt_tos:
        alias = aliases.find(rcpt, now)
        if alias is None or alias.blocked:
            continue
        _relay_to(alias, mail_from, message, now)
        queued += 1
    db.session.commit()
    return queued


def _relay_to(alias: RelayAlias, mail_from: str, message: EmailMessage, now: datetime) -> None:
    """Queue `message` for the person behind `alias`, written by the conversation's
    other side; the caller commits."""
    conversation = alias.conversation
    writer = conversation.alias(alias.side.other)
    assert writer is not None  # aliases are erased per conversation, together
    shown = aliases.address_of(writer)
    hidden = _sender_addresses(mail_from, message, writer)
    if alias.side == RelaySide.VISITOR:
        _answered_by_admin(conversation, writer, hidden)
    text = scrub(body_text(message), hidden, shown)
    subject = " ".join(scrub(str(message.get("Subject", "")), hidden, shown).split())
    item = conversation.item
    owner = item.owner if item is not None else None
    to_contact = alias.side == RelaySide.CONTACT
    relayed = RelayMessage(
        item_id=conversation.item_id,
        recipient_id=owner.id if to_contact and owner is not None else None,
        conversation_id=conversation.id,
        sender_side=writer.side,
        sender_name=writer.display_name,
        sender_email=writer.address,
        body=text,
        created_at=now,
    )
    db.session.add(relayed)
    db.session.flush()
    locale = alias.locale or (
        owner.locale
        if to_contact and owner is not None and (owner.email.lower() == alias.address.lower())
        else locale_of_address(alias.address)
    )
    title = item.title if item is not None else help_title(conversation) or writer.display_name
    relayed.outbox_message = queue_mail(
        "relay",
        alias.address,
        "relay_reply",
        locale=locale,
        from_addr=aliases.from_line(writer),
        reply_to=shown,
        headers=aliases.thread_headers(conversation),
        subject=subject[:SUBJECT_MAX],
        title=title,
        sender_name=writer.display_name,
        body=text,
        removed=attachment_count(message),
        days=ALIAS_LIFETIME.days,
        **links(relayed),
    )
    aliases.touch(conversation, now)
