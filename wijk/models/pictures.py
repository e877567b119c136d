"""What the uploader of a picture answered about the people in it (issue 18): asked at
every upload, kept with that picture, erased when the picture goes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wijk.models.base import Model, not_personal, personal, utcnow


def _answer(purpose: str) -> dict:
    return personal(
        category="consent for a picture",
        purpose=purpose,
        basis="legitimate_interest",
        retention="picture_consent",
        audience="the owner and co-managers; managers of the neighbourhood",
    )


class PictureConsent(Model):
    """One row per item with a picture uploaded since the questions were asked. A picture
    of recognisable people is accepted only with their consent, and of children only with
    a parent's or guardian's, so a stored row of an accepted picture says so."""

    __tablename__ = "picture_consent"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    # The picture the answers are about: a new picture needs new answers.
    picture_key: Mapped[str] = mapped_column(
        String(40), info=not_personal("the random name of the picture's files")
    )
    people: Mapped[bool] = mapped_column(
        info=_answer("know whether people can be recognised in the picture")
    )
    people_agreed: Mapped[bool | None] = mapped_column(
        info=_answer("prove that the people shown agreed to the picture")
    )
    children: Mapped[bool | None] = mapped_column(
        info=_answer("know whether children are in the picture")
    )
    guardian_agreed: Mapped[bool | None] = mapped_column(
        info=_answer("prove that a parent or guardian of each child agreed")
    )
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=_answer("know when the uploader answered")
    )
