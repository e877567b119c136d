"""Which e-mail addresses Wijk accepts: the ones its outbox can deliver.

Delivery goes through plain SMTP without SMTPUTF8, so a local part (before the @) must be
ASCII; an international domain is fine and is kept in its ASCII (IDNA) form. Every form
field for an address that mail will be sent to uses `MailableEmail`, so an address is
refused with a clear message at the form instead of being accepted and then stuck in
the outbox."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

INVALID = _l("This is not a valid e-mail address.")
NOT_ASCII = _l(
    "We cannot send mail to an address with accents or other special letters "
    "before the @ yet. Please use another address."
)


def mailable(address: str) -> str | None:
    """The address in the form the outbox sends to, or None when it cannot be delivered."""
    try:
        result = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
    except (EmailNotValidError, UnicodeError):
        return None
    return result.ascii_email


class MailableEmail:
    """A WTForms validator: a valid address the outbox can deliver; the field's data is
    replaced by its ASCII form (an international domain as IDNA)."""

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        normalised = mailable(value)
        if normalised is None:
            local = value.rpartition("@")[0]
            raise ValidationError(NOT_ASCII if local and not local.isascii() else INVALID)
        field.data = normalised
