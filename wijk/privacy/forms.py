from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wijk.mail.address import MailableEmail
from wijk.privacy.services import REQUEST_KINDS


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Fill in your password.")), Length(max=200)],
    )
    totp = StringField(
        _l("Code from your authenticator app"), validators=[Optional(), Length(max=12)]
    )


class AcceptTermsForm(FlaskForm):
    accept = BooleanField(
        _l("I accept the new terms of use and have read the new privacy statement."),
        validators=[DataRequired(_l("You can only go on when you accept the new terms."))],
    )


class PrivacyRequestForm(FlaskForm):
    kind = SelectField(_l("What do you ask?"), choices=[(k, v) for k, v in REQUEST_KINDS.items()])
    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address, so you can get an answer.")),
            MailableEmail(),
            Length(max=254),
        ],
        description=_l("We answer here, within four weeks."),
    )
    message = TextAreaField(
        _l("Your request"),
        validators=[DataRequired(_l("Write what you ask.")), Length(min=10, max=5000)],
    )
    website = StringField(_l("Leave this field empty"))  # honeypot


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer"), validators=[DataRequired(_l("Write an answer.")), Length(max=10000)]
    )


class BreachForm(FlaskForm):
    description = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(_l("Describe what happened.")), Length(max=10000)],
    )
    data_categories = TextAreaField(
        _l("Which personal data are concerned?"),
        validators=[DataRequired(_l("Name the data concerned.")), Length(max=2000)],
    )
    occurred_at = DateTimeLocalField(
        _l("When did it happen (if known)?"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    discovered_at = DateTimeLocalField(
        _l("When was it discovered?"),
        validators=[InputRequired(_l("Fill in when."))],
        format="%Y-%m-%dT%H:%M",
    )
