"""Roles held in a place: the managers of a neighbourhood, and the city staff (gemeente
or wijkteam) who act across every neighbourhood of one municipality."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, utcnow
from wijk.models.neighbourhood import Municipality, Neighbourhood


class NeighbourhoodManager(Model):
    """A person who manages one neighbourhood; a person may manage several."""

    __tablename__ = "neighbourhood_manager"

    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    neighbourhood: Mapped[Neighbourhood] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class MunicipalityStaff(Model):
    """A person of the municipality or its wijkteam: reads and moderates in every
    neighbourhood of that city, and writes the city's news and newsletters."""

    __tablename__ = "municipality_staff"

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
