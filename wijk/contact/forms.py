from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from wijk.forms import ScopedIds
from wijk.mail.address import MailableEmail

MESSAGE_MIN, MESSAGE_MAX = 10, 5000


class ContactForm(ScopedIds, FlaskForm):
    id_prefix = "contact"

    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Fill in your name.")), Length(max=100)]
    )
    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address, so you can get an answer.")),
            MailableEmail(),
            Length(max=254),
        ],
    )
    message = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(_l("Write a message.")),
            Length(
                min=MESSAGE_MIN,
                max=MESSAGE_MAX,
                message=_l(
                    "Write between %(min)d and %(max)d characters.",
                    min=MESSAGE_MIN,
                    max=MESSAGE_MAX,
                ),
            ),
        ],
    )
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = StringField(_l("Leave this field empty"))


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong?"),
        validators=[DataRequired(_l("Tell us briefly what is wrong.")), Length(max=2000)],
    )
