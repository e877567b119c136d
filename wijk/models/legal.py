"""What the site has published for the municipality to show (issue 15): every version
of the terms of use and the privacy statement, and the outcome of each automated
accessibility check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wijk.models.base import Model, not_personal, utcnow


class PublishedDocument(Model):
    """One published text of a document ("terms", "privacy"), frozen as first served in
    the default language. A new row appears whenever the text changes, so every earlier
    version stays readable."""

    __tablename__ = "published_document"
    __table_args__ = (UniqueConstraint("document", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(
        Text, info=not_personal("the public text of the site's own terms or privacy statement")
    )
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessibilityCheck(Model):
    """One run of `flask accessibility-check`: which pages, and what it found."""

    __tablename__ = "accessibility_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    pages: Mapped[int]
    # [{"page": "/privacy", "problem": "..."}]; the pages are public, nobody's data.
    problems: Mapped[list] = mapped_column(JSON, default=list)
