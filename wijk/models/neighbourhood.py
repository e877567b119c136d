from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import Model, not_personal, utcnow


class Neighbourhood(Model):
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

    @classmethod
    def ordered(cls) -> list[Neighbourhood]:
        """Every neighbourhood by name: the choices of forms and filters."""
        return list(db.session.scalars(select(cls).order_by(cls.name)))

    @classmethod
    def by_slug(cls, slug: str) -> Neighbourhood | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))


class NeighbourhoodPostcode(Model):
    """A 4-digit postcode area covered by a neighbourhood; an area may touch several."""

    __tablename__ = "neighbourhood_postcode"

    postcode: Mapped[str] = mapped_column(
        String(4), primary_key=True, info=not_personal("an area of thousands of addresses")
    )
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="postcodes")
