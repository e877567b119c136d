from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from wijk.admin.services import SLUG, AdminError, parse_postcodes
from wijk.mail.address import MailableEmail


class NeighbourhoodForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Fill in a name.")), Length(max=100)]
    )
    slug = StringField(
        _l("Web address"),
        validators=[
            DataRequired(_l("Fill in a web address.")),
            Length(max=100),
            Regexp(SLUG, message=_l("Use lower-case letters, digits and dashes.")),
        ],
        description=_l("The part after /wijk/, for example oog-in-al."),
    )
    city = StringField(
        _l("Municipality"),
        validators=[DataRequired(_l("Fill in a municipality.")), Length(max=100)],
        description=_l("Choose an existing municipality or type the name of a new one."),
        render_kw={"list": "municipality-names"},  # the <datalist> beside the form
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    postcodes = StringField(
        _l("Postcodes"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Four digits each, separated by commas or spaces: 3531, 3532"),
    )

    def validate_postcodes(self, field):
        try:
            parse_postcodes(field.data)
        except AdminError as error:
            raise ValidationError(
                _l("Not a 4-digit postcode: %(codes)s", codes=str(error))
            ) from None


class AppointForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the new manager"),
        validators=[
            DataRequired(_l("Fill in an e-mail address.")),
            MailableEmail(),
            Length(max=254),
        ],
        description=_l("The person needs a confirmed account on Wijk."),
    )


class MunicipalityForm(FlaskForm):
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown at the top of the city page."),
    )


class CityStaffForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the new staff member"),
        validators=[
            DataRequired(_l("Fill in an e-mail address.")),
            MailableEmail(),
            Length(max=254),
        ],
        description=_l(
            "The person needs a confirmed account on Wijk, and switches on two-step login "
            "before the city pages open."
        ),
    )
