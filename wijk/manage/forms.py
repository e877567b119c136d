from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from wijk.content.forms import FORMS, ItemForm
from wijk.forms import ScopedIds


class ReasonForm(ScopedIds, FlaskForm):
    """Hide or restore: the author reads this reason in their e-mail."""

    id_prefix = "status"

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give a reason; the author reads it.")), Length(max=2000)],
        description=_l("The author receives this reason by e-mail."),
    )


class ResolveForm(FlaskForm):
    note = TextAreaField(
        _l("What did you decide?"),
        validators=[DataRequired(_l("Write down what you decided.")), Length(max=2000)],
        description=_l("Closes every open report of this item. Only managers see the note."),
    )


NOTE = TextAreaField(
    _l("Note to the author"),
    validators=[Optional(), Length(max=1000)],
    description=_l("Optional. The author receives it with the notice of your change."),
)


def edit_form(kind: str, fields: tuple[str, ...], **kwargs) -> ItemForm:
    """The content form of this kind, cut down to the fields a manager may change."""
    form_class = type("ManagerEditForm", (FORMS[kind],), {"note": NOTE})
    form = form_class(**kwargs)
    for name in list(form._fields):
        if name not in fields and name not in ("note", "csrf_token"):
            del form[name]
    return form


class SuspendForm(ScopedIds, FlaskForm):
    """Suspend the author of an item: the person reads the reason in the e-mail and
    under "My data"."""

    id_prefix = "suspend"

    reason = TextAreaField(
        _l("Reason for the suspension"),
        validators=[DataRequired(_l("Give a reason; the person reads it.")), Length(max=2000)],
        description=_l("The person receives this reason by e-mail and can answer it."),
    )
    site_wide = BooleanField(_l("Everywhere on the site (administrators only)"))


class LiftForm(FlaskForm):
    suspension_id = IntegerField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Why is the suspension lifted?"),
        validators=[DataRequired(_l("Give a reason; the person reads it.")), Length(max=2000)],
    )


class RulesForm(FlaskForm):
    hold_first_posts = IntegerField(
        _l("Review the first posts of each person"),
        validators=[InputRequired(), NumberRange(min=0, max=20)],
        description=_l(
            "How many posts of each person in this neighbourhood wait for your "
            "approval before they are public. 0 switches this off."
        ),
    )
    held_words = TextAreaField(
        _l("Words that hold a post for review"),
        validators=[Optional(), Length(max=5000)],
        description=_l(
            "One word or phrase a line. A post that contains one waits for your "
            "approval instead of being published."
        ),
    )


class AnswerForm(FlaskForm):
    """The suspended person's answer, relayed to the managers (or admins) who decide."""

    suspension_id = IntegerField(validators=[DataRequired()])
    answer = TextAreaField(
        _l("Your answer"),
        validators=[DataRequired(_l("Write your answer.")), Length(max=2000)],
        description=_l("Goes by e-mail to the people who decided; they see it with the decision."),
    )
