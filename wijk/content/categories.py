"""Activity categories: the fixed codes of wijk.models.CATEGORIES with their labels, and
the few queries that read and write them. Listings read an item's codes in their own
query (`codes_column`), so a page of cards costs no extra query per card."""

from __future__ import annotations

from collections.abc import Iterable

from babel.support import NullTranslations
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from wijk.extensions import db
from wijk.languages import N_
from wijk.models import CATEGORIES, Item, ItemCategory

# The msgids: templates translate them with the catalogue of their render (looked up once
# per page, not per label); forms defined at import take the lazy LABELS.
MESSAGES = {
    "sport": N_("Sport and exercise"),
    "culture": N_("Culture"),
    "care": N_("Care and welfare"),
    "children": N_("Children and young people"),
    "meeting": N_("Meeting people"),
    "learning": N_("Learning"),
    "nature": N_("Nature and green"),
    "food": N_("Food and drink"),
}
assert set(MESSAGES) == set(CATEGORIES), "every category code needs a label"
LABELS = {code: _l(message) for code, message in MESSAGES.items()}


def choices(catalogue: NullTranslations | None = None) -> list[tuple[str, str]]:
    """(code, label) of every category: lazy labels for a form defined at import, or
    labels translated by `catalogue` for a template that holds one (the category chips of
    every neighbourhood, search and city page: eight lazy labels cost ~70 us a page)."""
    if catalogue is None:
        return [(code, LABELS[code]) for code in CATEGORIES]
    return [(code, catalogue.ugettext(MESSAGES[code])) for code in CATEGORIES]


def label(code: str, catalogue: NullTranslations | None = None) -> str:
    """A category's name in the current language, or in `catalogue`'s when the caller
    already holds it (a template: see wijk.languages.catalogue_of); an unknown code as it is."""
    message = MESSAGES.get(code)
    if message is None:
        return code
    return (catalogue or get_translations()).ugettext(message)


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
