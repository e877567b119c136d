"""Activity categories: the fixed codes of wijk.models.CATEGORIES with their labels, and
the few queries that read and write them. Listings read an item's codes in their own
query (`codes_column`), so a page of cards costs no extra query per card."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from wijk.extensions import db
from wijk.models import CATEGORIES, Item, ItemCategory

LABELS = {
    "sport": _l("Sport and exercise"),
    "culture": _l("Culture"),
    "care": _l("Care and welfare"),
    "children": _l("Children and young people"),
    "meeting": _l("Meeting people"),
    "learning": _l("Learning"),
    "nature": _l("Nature and green"),
    "food": _l("Food and drink"),
}
assert set(LABELS) == set(CATEGORIES), "every category code needs a label"


def choices() -> list[tuple[str, str]]:
    return [(code, LABELS[code]) for code in CATEGORIES]


def label(code: str) -> str:
    return str(LABELS.get(code, code))


def valid(code: str | None) -> str | None:
    """The code when it is one of ours, else None (a filter from a URL is untrusted)."""
    return code if code in LABELS else None


def ordered(codes: Iterable[str]) -> tuple[str, ...]:
    wanted = set(codes)
    return tuple(code for code in CATEGORIES if code in wanted)


def parse_codes(value: str | None) -> tuple[str, ...]:
    return ordered(value.split(",")) if value else ()


def categories_of(item_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Codes per item for a whole list, in one query."""
    return ItemCategory.codes_by_item(item_ids)


def set_categories(item: Item, codes: Iterable[str]) -> None:
    """Replace the item's categories; unknown codes are ignored. The caller commits."""
    db.session.flush()  # a new item needs its id
    db.session.execute(delete(ItemCategory).where(ItemCategory.item_id == item.id))
    db.session.add_all(ItemCategory(item_id=item.id, category=code) for code in ordered(codes))


# Query parts of the model's (wijk.series reads them too, and imports no content module).
codes_column = ItemCategory.codes_column
has_category = ItemCategory.has_code
