from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from wijk.mail.address import MailableEmail

QUESTION_MIN, QUESTION_MAX = 10, 5000
NAME_MAX = 100


class HelpForm(FlaskForm):
    """The question of a logged-in person: the answer goes to the account's address."""

    name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), Length(max=NAME_MAX)],
        description=_l("So we know how to address you."),
    )
    question = TextAreaField(
        _l("Your question"),
        validators=[
            DataRequired(_l("Write your question.")),
            Length(
                min=QUESTION_MIN,
                max=QUESTION_MAX,
                message=_l(
                    "Write between %(min)d and %(max)d characters.",
                    min=QUESTION_MIN,
                    max=QUESTION_MAX,
                ),
            ),
        ],
    )
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = StringField(_l("Leave this field empty"))


class VisitorHelpForm(HelpForm):
    """Without an account the answer needs an address; it is never shown to anyone."""

    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address, so you can get an answer.")),
            MailableEmail(),
            Length(max=254),
        ],
        description=_l(
            "We answer by e-mail. The administrators do not see this address: their "
            "answer reaches you through Wijk."
        ),
    )
