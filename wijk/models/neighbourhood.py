from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import not_personal, utcnow


class Neighbourhood(db.Model):
    __tablename__ = "neighbourhood"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), info=not_personal("a place name"))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    postcodes: Mapped[list[NeighbourhoodPostcode]] = relationship(
        back_populates="neighbourhood",
        cascade="all, delete-orphan",
        order_by="NeighbourhoodPostcode.postcode",
    )

    def __repr__(self) -> str:
        return f"<Neighbourhood {self.slug}>"


class NeighbourhoodPostcode(db.Model):
    """A 4-digit postcode area covered by a neighbourhood; an area may touch several."""

    __tablename__ = "neighbourhood_postcode"

    postcode: Mapped[str] = mapped_column(
        String(4), primary_key=True, info=not_personal("an area of thousands of addresses")
    )
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="postcodes")
