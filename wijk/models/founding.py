"""A resident's request to start a neighbourhood for postcodes no neighbourhood covers
yet (issue 14). An admin approves it (the neighbourhood is made and the requester becomes
its first manager) or declines it with a reason the requester reads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wijk.models.accounts import User
from wijk.models.base import Model, personal, utcnow
from wijk.models.neighbourhood import Neighbourhood


class RequestStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"


def _request(purpose: str) -> dict:
    return personal(
        category="neighbourhood request",
        purpose=purpose,
        basis="legitimate_interest",
        retention="neighbourhood_request",
        audience="the person; admins",
    )


class NeighbourhoodRequest(Model):
    """Asked by a verified resident; goes with the account (CASCADE) and a year after
    the decision (the `neighbourhood_request` retention rule)."""

    __tablename__ = "neighbourhood_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(
        String(100), info=_request("start the neighbourhood the person asked for")
    )
    municipality_name: Mapped[str] = mapped_column(
        String(100), info=_request("start the neighbourhood the person asked for")
    )
    postcodes: Mapped[str] = mapped_column(
        String(200), info=_request("start the neighbourhood the person asked for")
    )
    motivation: Mapped[str] = mapped_column(Text, info=_request("let admins judge the request"))
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decline_reason: Mapped[str | None] = mapped_column(
        Text, info=_request("tell the person why the request was declined")
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    neighbourhood: Mapped[Neighbourhood | None] = relationship()

    @property
    def postcode_list(self) -> list[str]:
        return self.postcodes.split()

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN
