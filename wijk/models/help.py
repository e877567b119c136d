"""Questions sent through "Hulp nodig?": relayed to the admins by mail through a relay
conversation, answered by mail, never published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.base import Model, not_personal, personal, utcnow
from wijk.models.relay import RelayConversation


def _help(purpose: str, audience: str = "the administrators who answer") -> dict:
    return personal(
        category="help question",
        purpose=purpose,
        basis="legitimate_interest",
        retention="help_request",
        audience=audience,
    )


class HelpRequest(Model):
    """One question from the help form. The address is used only by the relay: the admins
    answer the alias of the conversation and never see it."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(
        String(100), info=_help("address the person in the answer")
    )
    email: Mapped[str] = mapped_column(
        String(254),
        info=_help(
            "deliver the answer",
            audience="nobody; the relay delivers the answers to it",
        ),
    )
    question: Mapped[str] = mapped_column(Text, info=_help("answer the question"))
    locale: Mapped[str | None] = mapped_column(String(5), info=not_personal("a language code"))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("relay_conversation.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[RelayConversation | None] = relationship()
