"""Item cards: the most repeated part of Wijk's pages (an agenda is twenty of them, and
the same card shows on its neighbourhood page, each category filter, the city page and
in searches).

A card is a pure function of its inputs: the fields of the ItemView the gate built for
this viewer that the card shows (SHOWN), the language, the heading level and whether it
names its neighbourhood. Each process keeps the cards it rendered last under a digest of
exactly those inputs, so a card is rendered again only when one of them differs: a
changed title, date or place changes the key at once. A card shows no personal field
(those are on the item page, through the gate), so no hidden value can enter one.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from wijk.languages import CATALOGUE
from wijk.models import ItemKind
from wijk.visibility import ItemView

TEMPLATE = "_card.html"
KEPT = 6144  # cards per process: ~3 MB; the 200 neighbourhood pages of the bench show 5,000

_cards: OrderedDict[bytes, Markup] = OrderedDict()
_lock = threading.Lock()


# The fields of an ItemView the card shows (templates/_card.html and what it calls:
# item_link, picture_url, kind_label, category_label). The memo is keyed by these
# alone: the rest of a view (its description, its personal fields) never reaches a
# card. tests/test_rendering.py renders cards of every kind with a view that records
# what is read, and fails when the card reads a field not listed here.
SHOWN = (
    "id",
    "kind",
    "title",
    "starts_at",
    "moved",
    "offer_kind",
    "location_name",
    "repeats",
    "organisation_title",
    "expires_on",
    "neighbourhood_name",
    "picture_key",
    "categories",
)


def _key(view: ItemView, heading: str, show_place: bool) -> bytes:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    shown = tuple(getattr(view, name) for name in SHOWN)
    inputs = repr((id(app), str(get_locale()), heading, show_place, shown))
    return hashlib.blake2b(inputs.encode(), digest_size=16).digest()


def card(view: ItemView, heading: str = "h3", show_place: bool = False) -> Markup:
    """The card of `view`, rendered once per distinct input."""
    key = _key(view, heading, bool(show_place))
    with _lock:
        found = _cards.get(key)
        if found is not None:
            _cards.move_to_end(key)
            return found
    template = current_app.jinja_env.get_template(TEMPLATE)
    html = template.render(
        view=view,
        heading=heading,
        show_place=bool(show_place),
        **{CATALOGUE: get_translations()},
    )
    found = Markup(html)  # noqa: S704 (a rendered template)
    with _lock:
        _cards[key] = found
        while len(_cards) > KEPT:
            _cards.popitem(last=False)
    return found


@pass_context
def item_card(context: Context, view: ItemView, heading: str = "h3") -> Markup:
    """`{{ item_card(view) }}` in a template: one call per card (a macro around `card` was
    two, and its frame). The card names its neighbourhood when the page was rendered with
    `show_place` (the city page, a search everywhere)."""
    return card(view, heading, bool(context.get("show_place")))


def kind_label(view: Any) -> str:
    """What kind of item this is, in words: the tag on a card and an item page, and the
    category of an Atom entry. Takes an ItemView or an Item."""
    if view.kind == ItemKind.OFFER:
        return _("Request") if view.offer_kind == "request" else _("Offer")
    return {"activity": _("Activity"), "organisation": _("Organisation"), "news": _("News")}.get(
        view.kind, view.kind
    )


def register(app: Flask) -> None:
    app.jinja_env.globals["item_card"] = item_card
    app.jinja_env.globals["kind_label"] = kind_label
