"""Photo consent at upload: whoever uploads a picture answers whether people can be
recognised in it, whether they agreed, whether there are children and whether a parent
or guardian agreed. A picture of recognisable people without their consent, or of
children without a parent's or guardian's, is refused beside the question; the answers
are stored with the picture (PictureConsent) and shown to the neighbourhood's managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from wtforms import RadioField
from wtforms.validators import StopValidation

from wijk.extensions import db
from wijk.models import Item, PictureConsent

YES, NO = "yes", "no"
CHOICES = [(YES, _l("Yes")), (NO, _l("No"))]

ANSWER = _l("Answer this question for the picture you chose.")
NO_CONSENT = _l(
    "A picture in which people can be recognised is only posted when they agreed. Ask them "
    "first, or choose a picture in which nobody can be recognised."
)
NO_GUARDIAN = _l(
    "A picture of children is only posted when a parent or guardian of each child agreed. "
    "Ask them first, or choose another picture."
)


def _question(label: Any, description: Any = None) -> RadioField:
    return RadioField(label, choices=CHOICES, validate_choice=False, description=description)


@dataclass(frozen=True)
class Answers:
    people: bool
    people_agreed: bool | None = None
    children: bool | None = None
    guardian_agreed: bool | None = None


class ConsentQuestions:
    """The four questions, asked with every new picture (a form with `picture`)."""

    picture_people = _question(
        _l("Can people be recognised in the picture?"),
        _l("Also when they are in the background, or only partly shown."),
    )
    picture_people_agreed = _question(
        _l("Did everyone who can be recognised agree to this picture being shown here?")
    )
    picture_children = _question(_l("Are there children (under 16) among them?"))
    picture_guardian_agreed = _question(_l("Did a parent or guardian of every child agree?"))

    def _uploading(self) -> bool:
        upload = self.picture.data  # type: ignore[attr-defined]
        return bool(upload and getattr(upload, "filename", ""))

    def _recognisable(self) -> bool:
        return self._uploading() and self.picture_people.data == YES

    def validate_picture_people(self, field):
        if self._uploading() and field.data not in (YES, NO):
            raise StopValidation(str(ANSWER))

    def validate_picture_people_agreed(self, field):
        if not self._recognisable():
            return
        if field.data not in (YES, NO):
            raise StopValidation(str(ANSWER))
        if field.data != YES:
            raise StopValidation(str(NO_CONSENT))

    def validate_picture_children(self, field):
        if self._recognisable() and field.data not in (YES, NO):
            raise StopValidation(str(ANSWER))

    def validate_picture_guardian_agreed(self, field):
        if not self._recognisable() or self.picture_children.data != YES:
            return
        if field.data not in (YES, NO):
            raise StopValidation(str(ANSWER))
        if field.data != YES:
            raise StopValidation(str(NO_GUARDIAN))


def answers_from(data: dict[str, Any]) -> Answers | None:
    """The validated answers in form data; None when the questions were not answered."""
    people = data.get("picture_people")
    if people not in (YES, NO):
        return None
    if people == NO:
        return Answers(people=False)
    children = data.get("picture_children") == YES
    return Answers(
        people=True,
        people_agreed=data.get("picture_people_agreed") == YES,
        children=children,
        guardian_agreed=(data.get("picture_guardian_agreed") == YES) if children else None,
    )


def store(item: Item, answers: Answers | None, by_id: int | None, now: datetime) -> None:
    """Keep the answers with the item's current picture, replacing those of an earlier
    one; without a picture nothing is kept. The caller commits."""
    db.session.execute(delete(PictureConsent).where(PictureConsent.item_id == item.id))
    if item.picture_key is None or answers is None:
        return
    db.session.add(
        PictureConsent(
            item_id=item.id,
            picture_key=item.picture_key,
            people=answers.people,
            people_agreed=answers.people_agreed,
            children=answers.children,
            guardian_agreed=answers.guardian_agreed,
            answered_by_id=by_id,
            answered_at=now,
        )
    )


def of(item: Item) -> PictureConsent | None:
    """The answers about the item's current picture, if it was uploaded with them."""
    row = db.session.get(PictureConsent, item.id)
    return row if row is not None and row.picture_key == item.picture_key else None
