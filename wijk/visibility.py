"""The public-output gate. Pages, feeds and JSON never read personal columns themselves:
they get an ItemView from here, built for one viewer.

- Everyone sees a personal field only when its visibility flag is on.
- The contact e-mail is never handed out to anyone but the people who edit the item;
  visitors reach the contact person through the relay form.
- Those who edit the item see every value, the hidden ones marked as hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wijk.models import Item
from wijk.security.permissions import can_delete, can_edit, can_invite

# Never public, whatever its flag says: the relay form stands in for it.
NEVER_PUBLIC = frozenset({"contact_email"})

FIELD_LABELS = {
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Phone"),
    "contact_email": _l("E-mail"),
    "address": _l("Address"),
}


def personal_fields() -> list[tuple[str, str]]:
    """(column, flag column) for every personal field on content, read from the model's
    privacy declarations, so a new personal column joins the gate by declaring itself."""
    pairs = []
    for column in Item.__table__.columns:
        flag = column.info.get("public_flag")
        if flag:
            pairs.append((column.name, flag))
    return pairs


PERSONAL_FIELDS: list[tuple[str, str]] = personal_fields()


@dataclass(frozen=True)
class PersonalField:
    name: str
    label: str
    value: str
    public: bool
    never_public: bool = False


@dataclass(frozen=True)
class ItemView:
    """What one viewer may see of one item. Templates get this, never the model."""

    id: int
    kind: str
    title: str
    description: Markup
    neighbourhood_name: str
    neighbourhood_slug: str
    status: str
    created_at: datetime
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location_name: str | None = None
    recurrence: str | None = None
    website: str | None = None
    offer_kind: str | None = None
    expires_on: date | None = None
    organisation_id: int | None = None
    organisation_title: str | None = None
    fields: list[PersonalField] = field(default_factory=list)
    has_contact: bool = False
    editable: bool = False
    deletable: bool = False
    can_invite: bool = False

    def field(self, name: str) -> PersonalField | None:
        return next((f for f in self.fields if f.name == name), None)


def item_view(item: Item, viewer: Any = None) -> ItemView:
    """The one place that decides which personal values leave the server for `viewer`."""
    editor = can_edit(viewer, item)
    fields = []
    for name, flag in PERSONAL_FIELDS:
        value = getattr(item, name)
        if not value:
            continue
        public = bool(getattr(item, flag))
        if editor:
            fields.append(
                PersonalField(name, str(FIELD_LABELS[name]), value, public, name in NEVER_PUBLIC)
            )
        elif public and name not in NEVER_PUBLIC:
            fields.append(PersonalField(name, str(FIELD_LABELS[name]), value, True))
    organisation = item.organisation if item.organisation_id else None
    show_org = organisation is not None and organisation.is_published
    return ItemView(
        id=item.id,
        kind=item.kind,
        title=item.title,
        description=Markup(item.description or ""),  # noqa: S704 (sanitised on save)
        neighbourhood_name=item.neighbourhood.name,
        neighbourhood_slug=item.neighbourhood.slug,
        status=item.status,
        created_at=item.created_at,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        location_name=item.location_name,
        recurrence=item.recurrence,
        website=item.website,
        offer_kind=item.offer_kind,
        expires_on=item.expires_on,
        organisation_id=item.organisation_id if show_org else None,
        organisation_title=organisation.title if show_org else None,
        fields=fields,
        has_contact=bool(item.contact_email and item.contact_email_public),
        editable=editor,
        deletable=can_delete(viewer, item),
        can_invite=can_invite(viewer, item),
    )


def item_views(items: Iterable[Item], viewer: Any = None) -> list[ItemView]:
    return [item_view(item, viewer) for item in items]
