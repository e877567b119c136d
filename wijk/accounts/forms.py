from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from wijk.languages import language_choices
from wijk.mail.address import MailableEmail

PASSWORD_MIN = 10


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Fill in your name.")), Length(max=100)],
        description=_l(
            "Shown only to you and, when you post, to the managers of that neighbourhood."
        ),
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address.")),
            MailableEmail(),
            Length(max=254),
        ],
        description=_l("We send a link to confirm it. It is never shown to others."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=200,
                message=_l("Use at least %(min)d characters.", min=PASSWORD_MIN),
            ),
        ],
        description=_l(
            "At least %(min)d characters. A sentence is easy to remember.", min=PASSWORD_MIN
        ),
    )
    password_repeat = PasswordField(
        _l("Repeat password"),
        validators=[
            InputRequired(_l("Repeat your password.")),
            EqualTo("password", _l("The passwords are not the same.")),
        ],
    )
    accept_terms = BooleanField(
        _l("I accept the terms of use and have read the privacy statement."),
        validators=[DataRequired(_l("You can only sign up when you accept the terms."))],
    )
    confirm_age = BooleanField(
        _l("I am 16 years or older."),
        validators=[DataRequired(_l("You must be 16 or older to sign up."))],
    )
    # Opt-in per neighbourhood, nothing ticked by default; choices are set by the view.
    newsletters = SelectMultipleField(
        _l("Newsletters"),
        coerce=int,
        choices=[],
        default=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l(
            "Optional. Tick a neighbourhood to get its newsletter by e-mail; "
            "you can stop at any time."
        ),
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Fill in your e-mail address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Fill in your password.")), Length(max=200)]
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address.")),
            MailableEmail(),
            Length(max=254),
        ],
    )


class ResetPasswordForm(FlaskForm):
    # The stubs type a field read off its form class as UnboundField; FormMeta binds it.
    password: PasswordField = RegisterForm.password  # type: ignore[assignment]
    password_repeat: PasswordField = RegisterForm.password_repeat  # type: ignore[assignment]


class AccountForm(FlaskForm):
    name = RegisterForm.name
    locale = SelectField(_l("Language"), choices=language_choices)


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address.")),
            MailableEmail(),
            Length(max=254),
        ],
        description=_l(
            "We send a link to the new address; your address changes only when you open it."
        ),
    )
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Fill in your password.")), Length(max=200)],
    )
