"""Items and dates as lists read them: plain, read-only objects built from Core rows.

A neighbourhood page reads twenty dates with their activities and organisations, and the
board's organisations, offers and news. Hydrated through the ORM (mapped instances,
identity map, polymorphic loading, load events) the agenda cost 1.4 ms of which the
statement was 0.2 ms; the same columns as Core rows cost 0.5 ms with these objects.

They carry the same attribute names as the mapped classes, so the gate
(wijk/visibility.item_view) and the permission rules read them as they read an Item:
every value still leaves the server through the gate. They are never flushed, and they
have no relationships but the two a list shows: `neighbourhood` (id, name, slug) and
`organisation` (id, title, status), read in the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Select, inspect
from sqlalchemy.orm import aliased

from wijk.models.content import Item, ItemStatus
from wijk.models.neighbourhood import Neighbourhood
from wijk.models.series import ActivityOccurrence

# The item's mapped columns (attribute name, column), in the mapper's order.
ITEM_ATTRIBUTES: tuple[str, ...] = tuple(attr.key for attr in inspect(Item).column_attrs)
DATE_ATTRIBUTES = ("id", "activity_id", "starts_at", "ends_at", "original_starts_at", "status")

# The organisation an item is posted on behalf of, as a second item in the same statement.
ListedOrganisationRow = aliased(Item, name="listed_organisation")


class ListedPlace(NamedTuple):
    id: int
    name: str
    slug: str


class ListedOrganisation(NamedTuple):
    id: int
    title: str
    status: str

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED


class ListedItem:
    """An item as a list read it: Item's column attributes, its neighbourhood and its
    organisation (None without one)."""

    __slots__ = (*ITEM_ATTRIBUTES, "neighbourhood", "organisation")

    if TYPE_CHECKING:  # the column attributes are Item's, set from the row

        def __getattr__(self, name: str) -> Any: ...

    neighbourhood: ListedPlace
    organisation: ListedOrganisation | None

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<ListedItem {self.id} {self.kind}>"


# What the gate and the permission rules take: a mapped item or one a list read.
AnyItem = Item | ListedItem


class ListedDate:
    """One date of an activity as the agenda read it, with its activity."""

    __slots__ = (*DATE_ATTRIBUTES, "activity")

    id: int
    activity_id: int
    starts_at: datetime
    ends_at: datetime | None
    original_starts_at: datetime
    status: str
    activity: ListedItem

    def __repr__(self) -> str:
        return f"<ListedDate {self.id} of {self.activity_id} {self.starts_at:%Y-%m-%d %H:%M}>"


def item_columns() -> list[Any]:
    """What a list selects of an item: its columns, then its neighbourhood's id, name and
    slug, then its organisation's id, title and status; with_place() adds the joins."""
    columns = [inspect(Item).column_attrs[key].expression for key in ITEM_ATTRIBUTES]
    return [
        *columns,
        Neighbourhood.id,
        Neighbourhood.name,
        Neighbourhood.slug,
        ListedOrganisationRow.id,
        ListedOrganisationRow.title,
        ListedOrganisationRow.status,
    ]


def with_place(statement: Select) -> Select:
    """`statement`, which selects item_columns() with Item in its FROM, joined to the
    item's neighbourhood and (outer) its organisation."""
    return statement.join(Neighbourhood, Neighbourhood.id == Item.neighbourhood_id).outerjoin(
        ListedOrganisationRow, ListedOrganisationRow.id == Item.organisation_id
    )


def date_columns() -> list[Any]:
    return [getattr(ActivityOccurrence, key) for key in DATE_ATTRIBUTES]


ITEM_WIDTH = len(ITEM_ATTRIBUTES) + 6
DATE_WIDTH = len(DATE_ATTRIBUTES)


def listed_item(row: Sequence[Any], start: int = 0) -> ListedItem:
    """The ListedItem in `row` from position `start` (the columns of item_columns())."""
    item = object.__new__(ListedItem)
    end = start + len(ITEM_ATTRIBUTES)
    for key, value in zip(ITEM_ATTRIBUTES, row[start:end], strict=True):
        object.__setattr__(item, key, value)
    place_id, name, slug, organisation_id, title, status = row[end : end + 6]
    item.neighbourhood = ListedPlace(place_id, name, slug)
    item.organisation = (
        ListedOrganisation(organisation_id, title, status) if organisation_id is not None else None
    )
    return item


def listed_date(row: Sequence[Any], activity: ListedItem) -> ListedDate:
    """The ListedDate in the first DATE_WIDTH columns of `row` (date_columns())."""
    found = object.__new__(ListedDate)
    for key, value in zip(DATE_ATTRIBUTES, row[:DATE_WIDTH], strict=True):
        object.__setattr__(found, key, value)
    found.activity = activity
    return found
