from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.extensions import db
from wijk.models.base import Model, not_personal, utcnow


def slugify(text: str) -> str:
    """A URL part from a place name: 'Den Haag' -> 'den-haag', "'s-Hertogenbosch" ->
    's-hertogenbosch'; accents dropped, anything else becomes a dash."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


class Municipality(Model):
    """The city (gemeente) above the neighbourhoods: every neighbourhood belongs to one."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, info=not_personal("a city"))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="municipality", order_by="Neighbourhood.name"
    )

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"

    @classmethod
    def ordered(cls) -> list[Municipality]:
        return list(db.session.scalars(select(cls).order_by(cls.name)))

    @classmethod
    def by_slug(cls, slug: str) -> Municipality | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))

    @classmethod
    def named(cls, name: str) -> Municipality:
        """The municipality of this name, added to the session if it is new (the caller
        commits)."""
        name = " ".join(name.split())
        pending = (o for o in db.session.new if isinstance(o, cls) and o.name == name)
        found = next(pending, None)
        if found is None:
            with db.session.no_autoflush:  # a half-made neighbourhood may be pending
                found = db.session.scalar(select(cls).where(cls.name == name))
        if found is None:
            found = cls(name=name, slug=cls._free_slug(slugify(name) or "gemeente"))
            db.session.add(found)
        return found

    @classmethod
    def _free_slug(cls, base: str) -> str:
        """`base`, or `base-2`, `base-3`…: two names may make one slug ('Den Haag' and
        'Den-Haag'), and a slug names one page."""
        with db.session.no_autoflush:
            taken = set(db.session.scalars(select(cls.slug).where(cls.slug.like(f"{base}%"))))
        taken |= {o.slug for o in db.session.new if isinstance(o, cls)}
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug


class Neighbourhood(Model):
    __tablename__ = "neighbourhood"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), info=not_personal("a place name"))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Joined: nearly every page that names a neighbourhood also names its city.
    municipality: Mapped[Municipality] = relationship(
        back_populates="neighbourhoods", lazy="joined"
    )
    postcodes: Mapped[list[NeighbourhoodPostcode]] = relationship(
        back_populates="neighbourhood",
        cascade="all, delete-orphan",
        order_by="NeighbourhoodPostcode.postcode",
    )

    def __init__(self, *, city: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        if city is not None:
            self.city = city

    @property
    def city(self) -> str:
        """The name of the municipality: what pages show beside the neighbourhood."""
        return self.municipality.name

    @city.setter
    def city(self, name: str) -> None:
        self.municipality = Municipality.named(name)

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
