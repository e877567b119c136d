from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from wijk.forms import ScopedIds
from wijk.mail.address import MailableEmail
from wijk.signups.notices import CONFIRMED_ONLY, EVERYONE


class SignupForm(ScopedIds, FlaskForm):
    id_prefix = "signup"

    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Fill in your name.")), Length(max=100)]
    )
    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address, so we can confirm.")),
            MailableEmail(),
            Length(max=254),
        ],
    )
    # A series: the date one signs up for (choices are its open dates, set by the page).
    occurrence = SelectField(_l("Date"), coerce=int, default=0, validate_choice=False)
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = StringField(_l("Leave this field empty"))


class AttendeeMessageForm(FlaskForm):
    """The organiser writes to everyone signed up; each gets their own mail."""

    to = RadioField(
        _l("To"),
        default=CONFIRMED_ONLY,
        choices=[
            (CONFIRMED_ONLY, _l("Everyone with a place")),
            (EVERYONE, _l("Everyone with a place and the waiting list")),
        ],
        validators=[DataRequired(_l("Choose who gets the message."))],
    )
    # A series: every date (0) or the one date whose attendees get the message.
    occurrence = SelectField(_l("Date"), coerce=int, default=0, validate_choice=False)
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Fill in a subject.")), Length(max=150)]
    )
    message = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write a message.")), Length(max=5000)],
        description=_l(
            "Everyone gets their own mail: no one sees who else signed up. "
            "They cannot answer it by e-mail."
        ),
    )
