"""What the forms of every feature share."""

from __future__ import annotations

from wtforms import Field


def add_error(field: Field, message: str) -> None:
    """Show `message` on `field` after validation, when a service refused the input.
    After validate() `errors` is the field's own list (the stubs only promise a Sequence);
    appending to it keeps a `form.errors` already read in step."""
    errors = field.errors
    if isinstance(errors, list):
        errors.append(message)
    else:  # not validated: the empty tuple WTForms starts with
        field.errors = [*errors, message]
