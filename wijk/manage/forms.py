from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from wijk.content.forms import FORMS, ItemForm


class ReasonForm(FlaskForm):
    """Hide or restore: the author reads this reason in their e-mail."""

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
    _l("Note to the author"), validators=[Optional(), Length(max=1000)],
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
