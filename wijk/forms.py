"""What the forms of every feature share."""

from __future__ import annotations

from typing import ClassVar

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


class ScopedIds:
    """For a form that shares its page with others: each field's id starts with the form's
    `id_prefix` ("contact-name"), so no two forms on a page share an id and every label
    stays with its own field. Field names, and so the POSTed data, stay as they are."""

    id_prefix: ClassVar[str]

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if "id" not in unbound_field.kwargs:
                options = {**options, "id": f"{form.id_prefix}-{options['name']}"}
            return unbound_field.bind(form=form, **options)


def chosen_id(value: object) -> int:
    """Coerce for a select of ids whose "Choose…" option has the empty value the HTML
    standard asks of a required select's placeholder: no choice is 0."""
    if value in ("", None):
        return 0
    return int(value)  # type: ignore[call-overload]
