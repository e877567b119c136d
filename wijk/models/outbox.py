"""The transactional outbox: every e-mail is a row written in the transaction of the
change that causes it; `flask outbox` delivers the rows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wijk.models.base import Model, personal, utcnow


class OutboxState(StrEnum):
    """Where a message is in delivery; the values are what the `status` column stores."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def _mail(purpose: str) -> dict:
    return personal(
        category="e-mail in transit",
        purpose=purpose,
        basis="contract",
        retention="outbox_body",
        audience="nobody but the mail system; admins see failed messages",
    )


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    to_addr: Mapped[str] = mapped_column(String(254), info=_mail("deliver the message"))
    # The From line when it is not MAIL_DEFAULT_SENDER: a relay alias ("Vera via Wijk").
    from_addr: Mapped[str | None] = mapped_column(
        String(320), info=_mail("show the relay alias a relayed message comes from")
    )
    reply_to: Mapped[str | None] = mapped_column(
        String(320), info=_mail("let the recipient answer a relayed message")
    )
    subject: Mapped[str] = mapped_column(String(300), info=_mail("deliver the message"))
    body_text: Mapped[str | None] = mapped_column(Text, info=_mail("deliver the message"))
    body_html: Mapped[str | None] = mapped_column(Text, info=_mail("deliver the message"))
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Files sent along: [{"filename", "mimetype", "content"}], the content as text (a
    # calendar file); erased with the body.
    attachments: Mapped[list | None] = mapped_column(
        JSON, default=list, info=_mail("deliver the message")
    )
    # A plain VARCHAR(10) holding the values above (no database enum type or constraint);
    # rows load as OutboxState members.
    status: Mapped[OutboxState] = mapped_column(
        Enum(
            OutboxState,
            native_enum=False,
            length=10,
            values_callable=lambda states: [state.value for state in states],
        ),
        default=OutboxState.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
