from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import String
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from wijk.clock import local_now
from wijk.content import categories
from wijk.forms import ScopedIds, chosen_id
from wijk.mail.address import MailableEmail
from wijk.models import Item
from wijk.models.base import personal_fields
from wijk.pictures import services as pictures
from wijk.pictures.consent import ConsentQuestions
from wijk.series.forms import RepeatMixin

DESCRIPTION_MAX = 10_000
PHONE = Regexp(r"^\+?[0-9 ()\-]{6,20}$", message=_l("Use digits, spaces, + and - only."))
SHOW = _l("Show publicly")
MAX_PLACES = 10_000


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PictureMixin(ConsentQuestions):
    """One picture per activity, organisation or offer. The upload is verified and re-encoded
    during validation; the view stores the result once the item is saved. Every new picture
    comes with the answers about the people in it (wijk.pictures.consent)."""

    picture = FileField(
        _l("Picture"),
        description=_l(
            "JPEG, PNG or WebP, at most 5 MB. We remove all hidden data from "
            "it (such as the place where a photo was taken)."
        ),
    )
    remove_picture = BooleanField(_l("Remove the picture"))
    prepared_picture: pictures.Prepared | None = None

    def validate_picture(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        try:
            self.prepared_picture = pictures.prepare(upload.stream)
        except pictures.PictureError as error:
            raise ValidationError(str(error)) from error


class ItemForm(FlaskForm):
    """Fields every content type has. Each personal field has its own 'show' box,
    unchecked by default: nothing personal is public unless the owner says so."""

    neighbourhood_id = SelectField(
        _l("Neighbourhood"),
        coerce=chosen_id,
        validators=[DataRequired(_l("Choose a neighbourhood."))],
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Fill in a title.")), Length(max=200)]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX)],
        description=_l("Leave an empty line between paragraphs. Links become clickable."),
    )
    organisation_id = SelectField(_l("On behalf of"), coerce=int, default=0)

    def personal_pairs(self) -> list[tuple[Field, Field | None]]:
        """Per declared personal field: its value and its "show publicly" box (None for a
        field that is never public), in the model's order."""
        return [(self[f.name], self[f.flag] if f.flag else None) for f in personal_fields(Item)]


# What the form adds to a declared personal field beyond its label and length; a field
# not listed here is a plain text box with its "show publicly" box.
FIELD_OPTIONS: dict[str, dict[str, Any]] = {
    "address": {"flag_description": _l("Leave this off when it is your home address.")},
    "contact_email": {
        "type": EmailField,
        "validators": [MailableEmail()],
        "description": _l(
            "Never shown to anyone. Messages from the contact form go here; "
            "leave it empty to get them at your account address."
        ),
        "render_kw": {"autocomplete": "email"},
    },
    "contact_phone": {"validators": [PHONE]},
}


def _add_personal_fields(form: type[FlaskForm]) -> None:
    """Give the form a field per declared personal field, and its "show publicly" box,
    unchecked by default."""
    for declared in personal_fields(Item):
        options = FIELD_OPTIONS.get(declared.name, {})
        column_type = Item.__table__.columns[declared.name].type
        length = column_type.length if isinstance(column_type, String) else None
        if length is None:  # the form limits the value to what the column holds
            raise TypeError(f"personal field {declared.name} needs a String(length) column")
        setattr(
            form,
            declared.name,
            options.get("type", StringField)(
                declared.label,
                validators=[Optional(), *options.get("validators", ()), Length(max=length)],
                description=options.get("description", ""),
                render_kw=options.get("render_kw"),
            ),
        )
        if declared.flag:
            setattr(
                form,
                declared.flag,
                BooleanField(SHOW, description=options.get("flag_description", "")),
            )


_add_personal_fields(ItemForm)


class ActivityForm(RepeatMixin, PictureMixin, ItemForm):
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Fill in when it starts, e.g. 2026-12-01 19:30."))],
    )
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    location_name = StringField(
        _l("Location"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example: Buurthuis De Linde"),
    )
    categories = CheckboxesField(
        _l("Categories"), choices=categories.choices(), validate_choice=True, default=()
    )
    signups_enabled = BooleanField(
        _l("Visitors can sign up"),
        description=_l(
            "Visitors sign up with name and e-mail address. Only you and your "
            "co-managers see the list; it is erased 7 days after the activity."
        ),
    )
    max_places = IntegerField(
        _l("Maximum number of places"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_PLACES,
                message=_l("Choose a number from 1 to %(max)d.", max=MAX_PLACES),
            ),
        ],
        description=_l(
            "Leave empty for no limit. When it is full, visitors can join a waiting list."
        ),
    )

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))


class OrganisationForm(PictureMixin, ItemForm):
    title = StringField(
        _l("Name"), validators=[DataRequired(_l("Fill in a name.")), Length(max=200)]
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            URL(require_tld=True, message=_l("Start the address with https://")),
        ],
    )

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("Start the address with https://"))


class OfferForm(PictureMixin, ItemForm):
    offer_kind = RadioField(
        _l("Kind"),
        choices=[("offer", _l("I offer something")), ("request", _l("I am looking for something"))],
        validators=[DataRequired(_l("Choose offer or request."))],
    )
    expires_on = DateField(
        _l("Visible until"),
        validators=[DataRequired(_l("Fill in a date."))],
        description=_l("At most one year ahead."),
        default=lambda: local_now().date() + timedelta(days=60),  # the site's calendar
    )

    def validate_expires_on(self, field):
        if field.data and field.data < local_now().date():
            raise ValidationError(_l("Choose a date in the future."))
        if field.data and field.data > local_now().date() + timedelta(days=366):
            raise ValidationError(_l("Choose a date at most one year ahead."))


FORMS: dict[str, type[ItemForm]] = {
    "activity": ActivityForm,
    "organisation": OrganisationForm,
    "offer": OfferForm,
}


class InviteForm(ScopedIds, FlaskForm):
    id_prefix = "invite"

    email = EmailField(
        _l("E-mail address of the co-manager"),
        validators=[
            DataRequired(_l("Fill in an e-mail address.")),
            MailableEmail(),
            Length(max=254),
        ],
    )
