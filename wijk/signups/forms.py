from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length

from wijk.mail.address import MailableEmail


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Fill in your name.")),
                                                    Length(max=100)])
    email = EmailField(
        _l("Your e-mail address"),
        validators=[DataRequired(_l("Fill in your e-mail address, so we can confirm.")),
                    MailableEmail(), Length(max=254)],
    )
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = StringField(_l("Leave this field empty"))
