from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from wijk.newsletters.services import SUBJECT_MAX


class NewsletterForm(FlaskForm):
    newsletter_id = HiddenField()
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Fill in a subject.")), Length(max=SUBJECT_MAX)],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Write the newsletter before sending it.")),
            Length(max=50_000),
        ],
        description=_l(
            "Leave an empty line between paragraphs. Links become clickable; "
            "lists, bold and italics are allowed, nothing else."
        ),
    )
    with_agenda = BooleanField(
        _l("Add the agenda for the coming weeks"),
        description=_l(
            "The public activities of the neighbourhood in the next 3 weeks, "
            "filled in when the newsletter is sent."
        ),
    )


class SendForm(FlaskForm):
    newsletter_id = HiddenField(validators=[DataRequired()])


class ConfirmSendForm(SendForm):
    """The second step: the manager has seen how many people will receive it."""

    confirmed = HiddenField(validators=[DataRequired()])


class EmailSubscribeForm(FlaskForm):
    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address.")),
            Email(_l("This is not a valid e-mail address.")),
            Length(max=254),
        ],
    )
