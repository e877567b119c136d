"""Messages visitors send to a contact person through the relay form, the conversations
they start (an alias address per side, so answers stay double-blind), and the senders a
recipient blocked."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.base import Model, not_personal, personal, utcnow
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


class RelaySide(StrEnum):
    """The two sides of a conversation: who wrote through the form, and whom they reached."""

    VISITOR = "visitor"
    CONTACT = "contact"

    @property
    def other(self) -> RelaySide:
        return RelaySide.CONTACT if self is RelaySide.VISITOR else RelaySide.VISITOR


_SIDE = Enum(
    RelaySide,
    native_enum=False,
    length=10,
    values_callable=lambda sides: [side.value for side in sides],
)


# An alias lives this long after its conversation's last message (the retention rule
# `relay_alias` erases it then; the relay refuses mail to it from that moment).
ALIAS_LIFETIME = timedelta(days=28)


class RelayConversation(Model):
    """A visitor's message about an item and every answer to it, through two aliases."""

    __tablename__ = "relay_conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("item.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=not_personal("a time; the aliases expire 28 days after it")
    )

    item: Mapped[Item | None] = relationship()
    aliases: Mapped[list[RelayAlias]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", passive_deletes=True
    )

    def alias(self, side: RelaySide) -> RelayAlias | None:
        """The alias of one side; None once retention erased the conversation's aliases."""
        return next((alias for alias in self.aliases if alias.side == side), None)


def _alias(purpose: str) -> dict:
    return personal(
        category="relayed message",
        purpose=purpose,
        basis="legitimate_interest",
        retention="relay_alias",
        audience="nobody but the relay; never the other side",
    )


class RelayAlias(Model):
    """The address r-<token>@RELAY_DOMAIN that stands for one side of a conversation: mail
    to it is delivered to `address`, the other side only ever sees the alias. `blocked`:
    this side wants nothing more from the other one (its mail is dropped)."""

    __tablename__ = "relay_alias"
    __table_args__ = (UniqueConstraint("conversation_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("relay_conversation.id", ondelete="CASCADE")
    )
    side: Mapped[RelaySide] = mapped_column(_SIDE)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    address: Mapped[str] = mapped_column(
        String(254), info=_alias("deliver answers sent to the alias")
    )
    display_name: Mapped[str] = mapped_column(
        String(200), info=_alias("name the side in the From line of relayed mail")
    )
    expires_at: Mapped[datetime]
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language of the person behind the alias, for the mail relayed to them: the page's
    # language when a visitor wrote, the account's for a contact person.
    locale: Mapped[str | None] = mapped_column(String(5), info=not_personal("a language code"))

    conversation: Mapped[RelayConversation] = relationship(back_populates="aliases")


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
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("relay_conversation.id", ondelete="SET NULL"), index=True
    )
    # Who wrote it: the visitor (the form, or an answer to the contact's alias) or the
    # contact (an answer to the visitor's alias; then there is no recipient account).
    sender_side: Mapped[RelaySide] = mapped_column(_SIDE, default=RelaySide.VISITOR)
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
    conversation: Mapped[RelayConversation | None] = relationship()


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
