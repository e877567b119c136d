from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField
from wtforms.validators import DataRequired, Email, Length, Optional

FREQUENCY_CHOICES = [("weekly", _l("Once a week")), ("daily", _l("Every day"))]


class FollowForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    frequency = SelectField(_l("How often"), choices=FREQUENCY_CHOICES, default="weekly")
    email = EmailField(
        _l("Your e-mail address"),
        validators=[Optional(), Email(_l("This is not a valid e-mail address.")), Length(max=254)],
    )
