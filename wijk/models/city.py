"""News of a municipality (issue 14): written by its staff, shown on the city page and,
marked as city news, on the pages of each of its neighbourhoods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, not_personal, utcnow
from wijk.models.neighbourhood import Municipality


class CityNews(Model):
    """A news message of the city. It names no person: the author is kept for the staff
    (who wrote it), never shown on the public page."""

    __tablename__ = "city_news"
    __table_args__ = (Index("ix_city_news_recent", "municipality_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, info=not_personal("public city news"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]

    municipality: Mapped[Municipality] = relationship()
    author: Mapped[User | None] = relationship()
