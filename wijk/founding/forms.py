from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from wijk.admin.services import SLUG
from wijk.founding.services import RequestError


def no_control_characters(form, field) -> None:
    """Typed text only: a control character (other than a line break or tab) is refused."""
    text = field.data or ""
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in text):
        raise ValidationError(_l("Remove the invisible control characters from this text."))


class RequestForm(FlaskForm):
    name = StringField(
        _l("Name of the neighbourhood"),
        validators=[
            DataRequired(_l("Fill in a name.")),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
            no_control_characters,
        ],
        description=_l("The name people in the neighbourhood use, for example Oog in Al."),
    )
    municipality = StringField(
        _l("Municipality"),
        validators=[
            DataRequired(_l("Fill in the municipality.")),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
            no_control_characters,
        ],
        description=_l("Choose one from the list or type its name."),
        render_kw={"list": "municipalities"},
    )
    postcodes = StringField(
        _l("Postcodes"),
        validators=[
            DataRequired(_l("Fill in at least one postcode.")),
            Length(max=200, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("The four digits of each postcode area, separated by commas: 3531, 3532"),
    )
    motivation = TextAreaField(
        _l("Why this neighbourhood?"),
        validators=[
            DataRequired(_l("Tell us briefly why.")),
            Length(max=2000, message=_l("Use at most %(max)d characters.")),
            no_control_characters,
        ],
        description=_l(
            "Who would post here, and what goes on? An administrator reads this; nobody else."
        ),
    )


class ApproveForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Fill in a name.")), Length(max=100), no_control_characters],
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
    municipality = StringField(
        _l("Municipality"),
        validators=[
            DataRequired(_l("Fill in the municipality.")),
            Length(max=100),
            no_control_characters,
        ],
        render_kw={"list": "municipalities"},
    )
    postcodes = StringField(
        _l("Postcodes"),
        validators=[DataRequired(_l("Fill in at least one postcode.")), Length(max=200)],
        description=_l("Four digits each, separated by commas or spaces: 3531, 3532"),
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the requester reads this)"),
        validators=[
            DataRequired(_l("Tell the requester why.")),
            Length(max=2000, message=_l("Use at most %(max)d characters.")),
            no_control_characters,
        ],
    )


def error_text(error: RequestError) -> str:
    """The message beside the field for a refusal of the rules."""
    messages: dict[str, Any] = {
        "format": lambda v: _("Not a 4-digit postcode: %(codes)s", **v),
        "empty": lambda v: _("Fill in at least one postcode."),
        "many": lambda v: _("Ask for at most %(maximum)s postcodes at once.", **v),
        "covered": lambda v: _(
            "These postcodes already belong to a neighbourhood: %(codes)s.", **v
        ),
        "requested": lambda v: _(
            "Someone already asked for a neighbourhood with these postcodes: %(codes)s. "
            "An administrator is looking at it.",
            **v,
        ),
        "open": lambda v: _("You already have a request waiting. Wait for the answer first."),
        "slug": lambda v: _("Another neighbourhood already has this web address."),
        "decided": lambda v: _("This request has already been decided."),
        "gone": lambda v: _("The requester's account was deleted or is not confirmed."),
    }
    return messages[error.code](error.values)
