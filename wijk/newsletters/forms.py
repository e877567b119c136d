from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from wijk.newsletters.services import SUBJECT_MAX


class NewsletterForm(FlaskForm):
    newsletter_id = HiddenField()
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Fill in a subject.")), Length(max=SUBJECT_MAX)],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(_l("Write the newsletter before sending it.")),
                    Length(max=50_000)],
        description=_l("Leave an empty line between paragraphs. Links become clickable; "
                       "lists, bold and italics are allowed, nothing else."),
    )


class SendForm(FlaskForm):
    newsletter_id = HiddenField(validators=[DataRequired()])
