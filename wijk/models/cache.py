from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from wijk.models.base import Model


class ContentVersion(Model):
    """One row whose number goes up in the same transaction as every change to public
    content; cached public pages are only served while it is unchanged."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
