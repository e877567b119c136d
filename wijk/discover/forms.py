from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

BODY_MAX = 10_000


class NewsForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Fill in a title.")), Length(max=200)]
    )
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write the news.")), Length(max=BODY_MAX)],
        description=_l("Leave an empty line between paragraphs. Links become clickable."),
    )
