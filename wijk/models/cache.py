from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from wijk.models.base import Model


class PageVersion(Model):
    """A number per scope of public pages (a neighbourhood, a municipality, the list of
    places, the whole site) that changes, to a new random value, in the same transaction
    as every change to what pages of that scope show; a cached page is served only while
    the versions of the scopes it declared are unchanged (wijk/pagecache.py)."""

    __tablename__ = "page_version"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
