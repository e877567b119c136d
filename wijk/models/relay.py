"""Messages visitors send to a contact person through the relay form, the senders a
recipient blocked, and reports of abuse."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.base import Model, personal, utcnow
from wijk.models.content import Item
from wijk.models.outbox import OutboxMessage


def _relay(purpose: str, retention: str = "relay_body") -> dict:
    return personal(
        category="relayed message",
        purpose=purpose,
        basis="legitimate_interest",
        retention=retention,
        audience="the contact person it was sent to",
    )


class RelayMessage(Model):
    """One message through the contact form. The body is erased 28 days after delivery;
    the row stays so rate limits, blocks and abuse reports can refer to it."""

    __tablename__ = "relay_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("item.id", ondelete="SET NULL"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    sender_name: Mapped[str | None] = mapped_column(
        String(100), info=_relay("tell the recipient who wrote")
    )
    sender_email: Mapped[str | None] = mapped_column(
        String(254), info=_relay("let the recipient answer")
    )
    body: Mapped[str | None] = mapped_column(Text, info=_relay("deliver the message"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    item: Mapped[Item | None] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()


class BlockedSender(Model):
    """A sender address a recipient no longer wants messages from. Only a keyed hash of
    the address is kept, plus a masked hint (a***@example.org) to recognise it by."""

    __tablename__ = "blocked_sender"
    __table_args__ = (UniqueConstraint("user_id", "sender_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    sender_hash: Mapped[str] = mapped_column(String(64))
    sender_hint: Mapped[str] = mapped_column(
        String(254),
        info=personal(
            category="blocked sender",
            purpose="let the recipient recognise and unblock a sender",
            basis="legitimate_interest",
            retention="account",
            audience="the recipient who blocked",
        ),
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


